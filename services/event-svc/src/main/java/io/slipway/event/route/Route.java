package io.slipway.event.route;

import io.slipway.events.kube.KubeEvent;
import java.util.List;
import java.util.Set;

/**
 * A node of the route tree (kubernetes-event-exporter's semantics): if any drop rule matches, the event stops here;
 * each match rule that matches sends the event to its receiver; only when every match rule matched does the event go
 * on into the sub-routes. A route without rules passes everything to its sub-routes.
 */
public record Route(List<Rule> drop, List<Rule> match, List<Route> routes) {

    public Route {
        drop = List.copyOf(drop);
        match = List.copyOf(match);
        routes = List.copyOf(routes);
    }

    public static Route empty() {
        return new Route(List.of(), List.of(), List.of());
    }

    /** Adds the names of the receivers this route and its sub-routes send the event to. */
    public void receiversFor(KubeEvent event, Set<String> out) {
        for (Rule rule : drop) {
            if (rule.matches(event)) {
                return;
            }
        }
        boolean all = true;
        for (Rule rule : match) {
            if (rule.matches(event)) {
                if (rule.receiver() != null) {
                    out.add(rule.receiver());
                }
            } else {
                all = false;
            }
        }
        if (all) {
            for (Route sub : routes) {
                sub.receiversFor(event, out);
            }
        }
    }
}
