package io.slipway.backbone.relay;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Keeps the Debezium relay's source offsets in the service's own PostgreSQL database, so they survive restarts and
 * are shared by every instance of the service (whichever instance holds the relay lock resumes from them).
 */
public class PostgresOffsetBackingStore extends MemoryOffsetBackingStore {
    public static final String URL = "offset.storage.slipway.jdbc.url";
    public static final String USER = "offset.storage.slipway.jdbc.user";
    public static final String PASSWORD = "offset.storage.slipway.jdbc.password";
    public static final String OWNER = "offset.storage.slipway.owner";

    private String url;
    private String user;
    private String password;
    private String owner;
    private Connection connection;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Map<String, String> props = config.originalsStrings();
        url = required(props, URL);
        user = required(props, USER);
        password = required(props, PASSWORD);
        owner = required(props, OWNER);
    }

    private static String required(Map<String, String> props, String key) {
        String value = props.get(key);
        if (value == null) {
            throw new ConnectException("relay offset store needs " + key);
        }
        return value;
    }

    @Override
    public synchronized void start() {
        super.start();
        try {
            Connection c = connection(); // relay_offset comes from the backbone's migrations (BackboneSchema)
            try (PreparedStatement q = c.prepareStatement("select offset_key, offset_value from relay_offset where owner = ?")) {
                q.setString(1, owner);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        byte[] value = rs.getBytes(2);
                        data.put(ByteBuffer.wrap(rs.getBytes(1)), value == null ? null : ByteBuffer.wrap(value));
                    }
                }
            }
        } catch (SQLException e) {
            throw new ConnectException("cannot load relay offsets for " + owner + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        super.stop();
        closeConnection();
    }

    /** Saves run on the store's single executor thread; one connection serves them all, reopened after a failure. */
    @Override
    protected void save() {
        try {
            PreparedStatement up = connection().prepareStatement("""
                    insert into relay_offset(owner, offset_key, offset_value) values (?, ?, ?)
                    on conflict (owner, offset_key) do update set offset_value = excluded.offset_value""");
            try (up) {
                for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
                    up.setString(1, owner);
                    up.setBytes(2, bytes(e.getKey()));
                    up.setBytes(3, e.getValue() == null ? null : bytes(e.getValue()));
                    up.addBatch();
                }
                up.executeBatch();
            }
        } catch (SQLException e) {
            closeConnection();
            throw new ConnectException("cannot save relay offsets for " + owner + ": " + e.getMessage(), e);
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = DriverManager.getConnection(url, user, password);
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // already broken; the next save opens a new one
            }
            connection = null;
        }
    }

    /** Used only by Kafka Connect's offsets REST API, which the embedded engine does not serve. */
    @Override
    public java.util.Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return java.util.Set.of();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
