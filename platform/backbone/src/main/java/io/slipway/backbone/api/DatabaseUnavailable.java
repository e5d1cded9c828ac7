package io.slipway.backbone.api;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
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
    private static final int MAX_DEPTH = 16;

    private DatabaseUnavailable() {
    }

    public static boolean causedBy(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < MAX_DEPTH; depth++, t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || SHUTTING_DOWN.contains(pg.getSqlState()))) {
                return true;
            }
            // the SQL client fails a command on a connection that died under it with this message and no type of its own
            if (t.getMessage() != null && t.getMessage().startsWith("Connection is not active now")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
