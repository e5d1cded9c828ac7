package io.slipway.provision.run;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.ProvisionListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Records what a run reports; {@link #crashAtCreated} throws from that answered create (1: the first), like a killed process. */
class RecordingListener implements ProvisionListener {
    final List<CreateRequest> journal = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final Map<String, String> hostKeys = new LinkedHashMap<>();
    final List<String> shortfalls = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    List<ProviderNode> poolReady;
    int crashAtCreated;
    private int answered;

    static final class Crash extends RuntimeException {
        Crash() {
            super("killed right after the create answered");
        }
    }

    @Override
    public void creating(CreateRequest request) {
        journal.add(request);
        events.add("creating " + request.role() + " x" + request.count());
    }

    @Override
    public void created(CreateRequest request, List<ProviderNode> nodes) {
        events.add("created " + request.role() + " x" + nodes.size());
        if (++answered == crashAtCreated) {
            throw new Crash();
        }
    }

    @Override
    public void shortfall(CreateRequest request, int missing, String reason) {
        shortfalls.add(request.role() + " " + missing + " " + reason);
    }

    @Override
    public void running(ProviderNode node) {
        events.add("running " + node.id());
    }

    @Override
    public void ready(ProviderNode node, String hostKey) {
        events.add("ready " + node.id());
        hostKeys.put(node.id(), hostKey);
    }

    @Override
    public void failed(ProviderNode node, String reason) {
        failures.add(node.id() + ": " + reason);
    }

    @Override
    public void poolReady(List<ProviderNode> nodes) {
        events.add("poolReady " + nodes.size());
        poolReady = nodes;
    }
}
