package io.slipway.backbone.consume;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.nio.channels.ClosedChannelException;

/** Tells a failure of the database itself (out of reach, restarting, out of connections) from a failure of an effect. */
final class DatabaseFailures {
    private DatabaseFailures() {
    }

    /**
     * True when {@code failure} (or a cause) says the database could not be reached or is going away: SQLSTATE class 08
     * (connection exception), 57P01-57P03 (shutdown, cannot connect now), 53300 (too many connections), or a closed or
     * refused connection. Such a failure says nothing about the event.
     */
    static boolean unreachable(Throwable failure) {
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof ClosedChannelException
                    || e instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return true;
            }
            if (e instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null) {
                String state = pg.getSqlState();
                if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) {
                    return true;
                }
            }
        }
        return false;
    }
}
