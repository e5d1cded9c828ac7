package io.slipway.deploy.install;

/** A host step that failed: the reason names host and step and what to do; transient faults may heal on a later apply. */
public final class StepFailure extends Exception {
    private final String host;
    private final HostStep step;
    private final boolean transientFault;

    public StepFailure(String host, HostStep step, String reason, boolean transientFault) {
        super(host + ": " + step.label() + ": " + reason);
        this.host = host;
        this.step = step;
        this.transientFault = transientFault;
    }

    public String host() {
        return host;
    }

    public HostStep step() {
        return step;
    }

    public boolean transientFault() {
        return transientFault;
    }

    /** The reason without the host and step prefix. */
    public String reason() {
        String prefix = host + ": " + step.label() + ": ";
        return getMessage().startsWith(prefix) ? getMessage().substring(prefix.length()) : getMessage();
    }
}
