package io.slipway.event.route;

import io.slipway.events.kube.KubeEvent;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A loaded routing configuration: the route tree, the receivers, and the document it was read from (kept to be shown
 * back, masked, and to write it again without losing comments).
 */
public record RouteConfig(Route root, List<Receiver> receivers, String text, List<Secrets.Field> secrets) {

    public RouteConfig {
        receivers = List.copyOf(receivers);
        secrets = List.copyOf(secrets);
    }

    public static RouteConfig empty() {
        return new RouteConfig(Route.empty(), List.of(), "", List.of());
    }

    /** The names of the receivers the event goes to. */
    public Set<String> receiversFor(KubeEvent event) {
        Set<String> out = new LinkedHashSet<>();
        root.receiversFor(event, out);
        return out;
    }

    public boolean routesTo(KubeEvent event, String receiver) {
        return receiversFor(event).contains(receiver);
    }

    public Optional<Receiver> receiver(String name) {
        return receivers.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** The document with every secret masked. */
    public String maskedText() {
        return Secrets.mask(text, secrets);
    }
}
