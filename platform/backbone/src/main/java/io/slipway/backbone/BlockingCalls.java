package io.slipway.backbone;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * Runs a reactive pipeline (a Hibernate Reactive transaction, an outbox append) from a worker thread and waits for
 * it: Hibernate Reactive must run on a Vert.x context, which a plain or {@code @Blocking} thread does not have.
 */
public final class BlockingCalls {
    private BlockingCalls() {
    }

    public static <T> T await(Supplier<Uni<T>> action) {
        try {
            return VertxContextSupport.subscribeAndAwait(action);
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
