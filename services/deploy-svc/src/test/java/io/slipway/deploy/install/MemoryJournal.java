package io.slipway.deploy.install;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A journal kept in memory, for installer tests: what was started, completed and failed, in order. */
final class MemoryJournal implements StepJournal {
    record Entry(String host, HostStep step, String state, StepResult result, String reason) {
    }

    final List<Entry> entries = new CopyOnWriteArrayList<>();
    final Set<String> done = ConcurrentHashMap.newKeySet();

    MemoryJournal() {
    }

    /** A journal that already has what {@code other} completed, as a restarted service would. */
    MemoryJournal(MemoryJournal other) {
        done.addAll(other.done);
    }

    @Override
    public boolean completed(String host, HostStep step, String revision) {
        return done.contains(host + "/" + step + "/" + revision);
    }

    @Override
    public void started(String host, HostStep step, String revision) {
        entries.add(new Entry(host, step, "Started", null, null));
    }

    @Override
    public void completed(String host, HostStep step, String revision, StepResult result) {
        done.add(host + "/" + step + "/" + revision);
        entries.add(new Entry(host, step, "Completed", result, null));
    }

    @Override
    public void failed(String host, HostStep step, String revision, String reason, boolean transientFault) {
        entries.add(new Entry(host, step, "Failed", null, reason));
    }

    List<Entry> started() {
        return entries.stream().filter(e -> e.state().equals("Started")).toList();
    }

    void forget(String host, HostStep step) {
        done.removeIf(k -> k.startsWith(host + "/" + step + "/"));
    }
}
