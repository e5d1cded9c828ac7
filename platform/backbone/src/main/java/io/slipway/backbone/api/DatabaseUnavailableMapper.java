package io.slipway.backbone.api;

import io.smallrye.mutiny.CompositeException;
import io.vertx.core.VertxException;
import io.vertx.core.impl.NoStackTraceThrowable;
import io.vertx.pgclient.PgException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.hibernate.HibernateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request that failed because the service's database was unreachable (PostgreSQL restarting after a crash) is a 503
 * with Retry-After, so that a client, the gateway's user or a CI, sends it again, as it would after a 502 from a
 * restarting service; a request with an {@code Idempotency-Key} then lands once. Anything else of these types is still
 * the 500 it was, logged with an error id that the answer names. Only the types the database path fails with are
 * mapped, so every other exception keeps its own mapper or Quarkus' default.
 */
public class DatabaseUnavailableMapper {
    private static final Logger LOG = Logger.getLogger(DatabaseUnavailableMapper.class);

    /**
     * Every type a database failure reaches a resource method as: the SQL client's own (a commit on a closed connection
     * fails with a bare {@link NoStackTraceThrowable}), Hibernate's, and Mutiny's {@link CompositeException} of a failed
     * statement and its failed rollback. A type missing here is answered by Quarkus' default 500.
     */
    @ServerExceptionMapper({SocketException.class, VertxException.class, NoStackTraceThrowable.class, PgException.class,
            SQLException.class, HibernateException.class, CompletionException.class, CompositeException.class})
    public Response map(Throwable e) {
        if (DatabaseUnavailable.causedBy(e)) {
            LOG.warnf("answering 503: the database is unavailable (%s)", e.toString());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", "2").type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "the service's database is unavailable; send the request again shortly"
                            + " (with the same Idempotency-Key where the operation takes one)")).build();
        }
        String id = UUID.randomUUID().toString();
        LOG.errorf(e, "HTTP request failed, error id: %s", id);
        return Response.serverError().type(MediaType.APPLICATION_JSON).entity(Map.of("error", "internal error", "errorId", id)).build();
    }
}
