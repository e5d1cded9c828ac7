package io.slipway.oci.sync;

import io.slipway.oci.registry.RegistryException;
import io.slipway.oci.registry.RetryPolicy;

import java.io.IOException;
import java.io.InterruptedIOException;

/**
 * The job-level retry of a failed blob copy or manifest push, above the HTTP layer's own retries: a transfer that
 * broke off or arrived corrupt is tried again after a pause; what retrying cannot fix (denied, not found, bad
 * request) fails at once.
 */
final class JobRetry {

    private final RetryPolicy policy;

    JobRetry(RetryPolicy policy) {
        this.policy = policy;
    }

    interface Step<T> {
        T run() throws IOException;
    }

    <T> T run(String what, Step<T> step) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return step.run();
            } catch (RegistryException.Interrupted | InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                boolean fixable = !(e instanceof RegistryException r) || r.isTransient();
                if (!fixable || !policy.allowsAnotherAfter(attempt)) {
                    throw e;
                }
                try {
                    Thread.sleep(policy.delayAfter(attempt, null));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted before retrying " + what);
                }
            }
        }
    }
}
