package io.slipway.backbone.relay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL session-level advisory lock that makes one instance of a service its relay. The lock lives as long as
 * the connection: if the holder dies, the database frees it and a standby takes over.
 */
final class RelayLock implements AutoCloseable {
    private final Connection connection;

    private RelayLock(Connection connection) {
        this.connection = connection;
    }

    /** The lock if no other instance holds it, else {@code null}. */
    static RelayLock tryAcquire(String url, String user, String password, String name) throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        try (PreparedStatement q = c.prepareStatement("select pg_try_advisory_lock(hashtext(?))")) {
            q.setString(1, "slipway-relay:" + name);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    return new RelayLock(c);
                }
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    /** Whether the lock's connection is still alive (a lost connection means a lost lock). */
    boolean held() {
        try {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing the connection is what releases the lock; nothing more can be done if that fails
        }
    }
}
