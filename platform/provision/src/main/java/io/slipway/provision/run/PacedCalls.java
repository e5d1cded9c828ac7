package io.slipway.provision.run;

import io.slipway.provision.ProviderException;
import io.slipway.provision.pace.TokenBucket;
import java.util.function.Supplier;

/** Every provider call of a run: through the shared bucket first, counted, and a throttled answer slows the bucket. */
final class PacedCalls {
    private final TokenBucket bucket;
    private final ProvisionStats stats;

    PacedCalls(TokenBucket bucket, ProvisionStats stats) {
        this.bucket = bucket;
        this.stats = stats;
    }

    <T> T call(String action, Supplier<T> call) throws InterruptedException {
        bucket.acquire();
        stats.called(action);
        try {
            return call.get();
        } catch (ProviderException e) {
            if (e.kind() == ProviderException.Kind.THROTTLED) {
                stats.throttledCall();
                bucket.throttled();
            }
            throw e;
        }
    }

    ProvisionStats stats() {
        return stats;
    }
}
