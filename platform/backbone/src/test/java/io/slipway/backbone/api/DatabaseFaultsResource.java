package io.slipway.backbone.api;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;

/**
 * Requests of the backbone's test application whose database connection PostgreSQL ends under them, as it does to every
 * connection when it crashes or restarts: the failures reach the HTTP layer exactly as a service's would.
 */
@Path("/test/database-faults")
@PermitAll
public class DatabaseFaultsResource {
    @Inject
    Pool pool;

    /** The server ends the request's connection in the middle of a statement (FATAL 57P01 on that statement). */
    @POST
    @Path("/during-statement")
    public Uni<String> endedDuringStatement() {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select pg_terminate_backend(pg_backend_pid())").getSingleResult())
                .map(String::valueOf));
    }

    /**
     * The server ends the request's connection after its last statement and before its commit, so the commit is sent on
     * a closed connection. {@code pg_terminate_backend(pid, timeout)} returns once the backend is gone.
     */
    @POST
    @Path("/before-commit")
    public Uni<String> endedBeforeCommit() {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select pg_backend_pid()", Integer.class).getSingleResult())
                .flatMap(pid -> pool.preparedQuery("select pg_terminate_backend($1, 10000)").execute(Tuple.of(pid)))
                .map(rows -> "ended"));
    }

    /** A statement in a transaction, as any request makes: answers once the pool hands out a live connection. */
    @POST
    @Path("/none")
    public Uni<String> noFault() {
        return Panache.withTransaction(() -> Panache.getSession()
                .flatMap(s -> s.createNativeQuery("select 1", Integer.class).getSingleResult())
                .map(String::valueOf));
    }
}
