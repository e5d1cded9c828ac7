package io.slipway.deploy.install;

/**
 * Where the installer records each host step (the service writes it to PostgreSQL with an event in one transaction)
 * and asks what is already done, which is what makes an install resumable.
 */
public interface StepJournal {

    /** True when {@code host} completed {@code step} for the image {@code imageDigest} (so it is skipped). */
    boolean completed(String host, HostStep step, String imageDigest);

    void started(String host, HostStep step, String imageDigest);

    void completed(String host, HostStep step, String imageDigest, StepResult result);

    void failed(String host, HostStep step, String imageDigest, String reason, boolean transientFault);

    /** What a completed step did: a line for people, bytes sent, and whether it had nothing to do. */
    record StepResult(String detail, long bytesSent, boolean skipped, long durationMillis) {
        public static StepResult of(String detail) {
            return new StepResult(detail, 0, false, 0);
        }

        public StepResult took(long millis) {
            return new StepResult(detail, bytesSent, skipped, millis);
        }
    }
}
