package io.slipway.provision.local;

import io.slipway.provision.local.LocalState.HostRecord;
import java.io.IOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Hosts in network namespaces on the provider's bridge {@code slwpb<id>}, 10.231.x.0/24 claimed machine-wide (where
 * the test kit's namespace fleets claim theirs), each a {@link NamespaceNode}. Needs root.
 */
final class NamespaceHosts implements HostMaker {
    private static final String SLOT = "subnet";

    private final LocalState state;
    private final String id;

    NamespaceHosts(LocalState state, String id) {
        this.state = state;
        this.id = id;
    }

    @Override
    public int port() {
        return 22;
    }

    @Override
    public int network() throws IOException {
        Optional<Integer> held = state.slot(SLOT);
        int subnet;
        if (held.isPresent()) {
            subnet = held.get();
        } else {
            String routes = Netns.addressesAndRoutes();
            subnet = MachineClaims.NAMESPACES.claimSlotFor(SLOT, state.dir(), x -> Netns.subnetUnused(x, routes));
        }
        if (!Netns.linkExists(bridge())) {
            Netns.createBridge(bridge(), subnet);
        }
        return subnet;
    }

    @Override
    public String address(int net, int slot) {
        return Netns.address(net, slot);
    }

    @Override
    public void start(HostRecord host) throws IOException {
        node(host).build(bridge(), Netns.gateway(network()), state.authorizedKeys());
    }

    @Override
    public Optional<String> problem(HostRecord host) {
        return node(host).problem();
    }

    @Override
    public void destroy(HostRecord host) {
        node(host).destroy();
    }

    @Override
    public void giveBackNetwork() throws IOException {
        Netns.deleteLinks(Pattern.compile(Pattern.quote(bridge())));
        MachineClaims.NAMESPACES.releaseSlot(state.dir(), SLOT);
        state.forgetSlot(SLOT);
    }

    private NamespaceNode node(HostRecord h) {
        String number = h.name().substring(h.name().lastIndexOf('n') + 1);
        return new NamespaceNode(h.name(), h.address(), state.hostDir(h.name()), "slwp" + id + "v" + number, "slwp" + id + "p" + number);
    }

    private String bridge() {
        return "slwpb" + id;
    }
}
