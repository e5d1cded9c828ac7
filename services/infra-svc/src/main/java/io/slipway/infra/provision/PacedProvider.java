package io.slipway.infra.provision;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.pace.Backoff;
import io.slipway.provision.pace.TokenBucket;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A provider's listing and release calls outside a provisioning run (deleting a pool, reaping), through the same
 * request-rate bucket as the runs and retried with backoff on what may pass (throttling, 5xx, timeouts), so a delete
 * or the reaper never spends the quota a run needs nor gives up on one throttled answer.
 */
final class PacedProvider {
    private static final int ATTEMPTS = 6;

    private final NodeProvider provider;
    private final TokenBucket bucket;
    private final Backoff backoff = new Backoff(Backoff.Policy.defaults(), new Random());

    PacedProvider(NodeProvider provider, TokenBucket bucket) {
        this.provider = provider;
        this.bucket = bucket;
    }

    List<io.slipway.provision.ProviderNode> listPooled() {
        return call(provider::listPooled);
    }

    void release(Collection<String> ids) {
        call(() -> {
            provider.release(ids);
            return null;
        });
    }

    private <T> T call(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                bucket.acquire();
                return call.get();
            } catch (ProviderException e) {
                if (!e.retryable() || attempt == ATTEMPTS) {
                    throw e;
                }
                if (e.kind() == ProviderException.Kind.THROTTLED) {
                    bucket.throttled();
                }
                sleep(backoff.next(e.kind()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while calling provider " + provider.kind(), e);
            }
        }
    }

    private static void sleep(java.time.Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
