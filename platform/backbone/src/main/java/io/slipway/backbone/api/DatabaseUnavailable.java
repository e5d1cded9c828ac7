package io.slipway.backbone.api;

import io.smallrye.mutiny.CompositeException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Whether a failure means "the database could not be reached just now" (PostgreSQL restarting, a connection it closed,
 * a server that refuses connections while it recovers), as opposed to a bug or a refused statement. Such a request can
 * be sent again as it was and succeed, so it is answered 503, not 500.
 */
public final class DatabaseUnavailable {
    /**
     * SQLSTATEs of a server going away or not taking connections yet: class 08 (connection exception), 57P01
     * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, recovering).
     */
    private static final Set<String> SHUTTING_DOWN = Set.of("57P01", "57P02", "57P03");
    private static final int MAX_SEEN = 32;

    private DatabaseUnavailable() {
    }

    public static boolean causedBy(Throwable failure) {
        // a failed statement whose rollback failed too is a CompositeException of both: any of its parts counts
        Deque<Throwable> pending = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.add(failure);
        while (!pending.isEmpty() && seen.size() < MAX_SEEN) {
            Throwable t = pending.poll();
            if (!seen.add(t)) {
                continue;
            }
            if (unavailable(t)) {
                return true;
            }
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            if (t instanceof CompositeException composite) {
                pending.addAll(composite.getCauses());
            }
        }
        return false;
    }

    private static boolean unavailable(Throwable t) {
        // refused (ConnectException is one), reset or broken under a statement
        if (t instanceof SocketException || t instanceof ClosedConnectionException) {
            return true;
        }
        if (t instanceof PgException pg) {
            return unavailableState(pg.getSqlState());
        }
        // Hibernate Reactive turns a PgException into a JDBCException over a SQLException with its SQLSTATE (no cause)
        if (t instanceof SQLException sql) {
            return unavailableState(sql.getSQLState());
        }
        // the SQL client fails a command on a connection that died under it with this message and no type of its own
        return t.getMessage() != null && t.getMessage().startsWith("Connection is not active now");
    }

    private static boolean unavailableState(String sqlState) {
        return sqlState != null && (sqlState.startsWith("08") || SHUTTING_DOWN.contains(sqlState));
    }

}
