package io.slipway.event.ingest;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Where the ingest records how far it got, in the service's own PostgreSQL database: per stream the resourceVersion
 * to resume from; the ids of handled occurrences, kept for the seen retention; and per partition of the topic the
 * offset up to which those ids cover what the cluster published (what lies beyond is read back from Kafka after a
 * crash). All three are written in one transaction, only with what Kafka has acknowledged. One connection, taken
 * from the service's pool on first use and held until {@link #close} (a session-level advisory lock lives on it), for
 * one thread at a time; a failed statement gives it back and the next call takes another, unless it held the lock. The
 * tables come from event-svc's migrations (db/migration).
 */
final class IngestStore implements AutoCloseable {
    private static final String LOCK_PREFIX = "slipway-ingest:";

    private final IngestConnections connections;
    private Connection connection;
    private String locked;

    IngestStore(IngestConnections connections) {
        this.connections = connections;
    }

    /**
     * Takes the PostgreSQL advisory lock that makes this instance the only one ingesting {@code cluster}; it is held
     * as long as this store keeps its connection (if that dies, so does the lock, and this store refuses to take
     * another); {@link #close} releases it before the connection goes back to the pool. False if another instance
     * holds it.
     */
    boolean tryLock(String cluster) throws SQLException {
        boolean taken = run(c -> {
            try (PreparedStatement q = c.prepareStatement("select pg_try_advisory_lock(hashtext(?))")) {
                q.setString(1, LOCK_PREFIX + cluster);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
        if (taken) {
            locked = cluster;
        }
        return taken;
    }

    /** Stored resourceVersions of the cluster's streams, by {@code api|namespace} ("" for all namespaces). */
    Map<String, String> checkpoints(String cluster) throws SQLException {
        return run(c -> {
            Map<String, String> rvs = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement("select api, namespace, resource_version from ingest_checkpoint where cluster = ?")) {
                q.setString(1, cluster);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        rvs.put(rs.getString(1) + "|" + rs.getString(2), rs.getString(3));
                    }
                }
            }
            return rvs;
        });
    }

    static String checkpointKey(StreamKey key) {
        return key.api().apiVersion() + "|" + key.namespaceColumn();
    }

    /** Per partition, the offset from which the topic may hold occurrences of {@code cluster} whose ids are not stored. */
    Map<Integer, Long> positions(String cluster, String topic) throws SQLException {
        return run(c -> {
            Map<Integer, Long> positions = new HashMap<>();
            try (PreparedStatement q = c.prepareStatement(
                    "select partition, next_offset from ingest_topic_position where cluster = ? and topic = ?")) {
                q.setString(1, cluster);
                q.setString(2, topic);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        positions.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            return positions;
        });
    }

    /** Which of {@code ids} were handled before (within the retention). */
    Set<UUID> known(Collection<UUID> ids) throws SQLException {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return run(c -> {
            Set<UUID> known = new HashSet<>();
            // a join on the unnested ids: probes the primary key once per id, where "= any(?)" got a generic plan
            // scanning the whole table once the driver switched to a server-side prepared statement
            try (PreparedStatement q = c.prepareStatement(
                    "select s.event_id from unnest(?::uuid[]) as wanted(id) join ingest_seen s on s.event_id = wanted.id")) {
                Array array = c.createArrayOf("uuid", ids.toArray());
                q.setArray(1, array);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        known.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            return known;
        });
    }

    /** In one transaction: handled ids, the streams' resume points and the topic positions they cover. */
    void record(String cluster, Collection<UUID> handled, Map<StreamKey, String> checkpoints, String topic,
                Map<Integer, Long> positions) throws SQLException {
        run(c -> {
            c.setAutoCommit(false);
            try {
                if (!handled.isEmpty()) {
                    try (PreparedStatement st = c.prepareStatement(
                            "insert into ingest_seen (event_id, cluster) select unnest(?::uuid[]), ? on conflict do nothing")) {
                        st.setArray(1, c.createArrayOf("uuid", handled.toArray()));
                        st.setString(2, cluster);
                        st.execute();
                    }
                }
                if (!checkpoints.isEmpty()) {
                    try (PreparedStatement st = c.prepareStatement("""
                            insert into ingest_checkpoint (cluster, api, namespace, resource_version) values (?, ?, ?, ?)
                            on conflict (cluster, api, namespace) do update set resource_version = excluded.resource_version, updated_at = now()""")) {
                        for (var e : checkpoints.entrySet()) {
                            st.setString(1, cluster);
                            st.setString(2, e.getKey().api().apiVersion());
                            st.setString(3, e.getKey().namespaceColumn());
                            st.setString(4, e.getValue());
                            st.addBatch();
                        }
                        st.executeBatch();
                    }
                }
                if (!positions.isEmpty()) {
                    try (PreparedStatement st = c.prepareStatement("""
                            insert into ingest_topic_position (cluster, topic, partition, next_offset) values (?, ?, ?, ?)
                            on conflict (cluster, topic, partition)
                            do update set next_offset = greatest(ingest_topic_position.next_offset, excluded.next_offset)""")) {
                        for (var e : positions.entrySet()) {
                            st.setString(1, cluster);
                            st.setString(2, topic);
                            st.setInt(3, e.getKey());
                            st.setLong(4, e.getValue());
                            st.addBatch();
                        }
                        st.executeBatch();
                    }
                }
                c.commit();
            } finally {
                if (!c.isClosed()) {
                    c.setAutoCommit(true);
                }
            }
            return null;
        });
    }

    /** Forgets handled ids older than the retention; returns how many. */
    int purge(String cluster, Duration retention) throws SQLException {
        return run(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "delete from ingest_seen where cluster = ? and seen_at < now() - make_interval(secs => ?)")) {
                st.setString(1, cluster);
                st.setDouble(2, retention.toMillis() / 1000.0);
                return st.executeUpdate();
            }
        });
    }

    private interface Work<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T run(Work<T> work) throws SQLException {
        try {
            if (connection == null || connection.isClosed()) {
                if (locked != null) {
                    throw new SQLException("the ingest lock of cluster " + locked + " went with its database connection");
                }
                connection = connections.open();
            }
            return work.apply(connection);
        } catch (SQLException e) {
            giveBack();
            throw new SQLException("ingest store: " + e.getMessage(), e.getSQLState(), e);
        }
    }

    /**
     * Gives the connection back to where it came from, without the lock: a pooled connection that went back still
     * holding it would keep the cluster from every other instance while this one no longer ingests it. If the lock cannot
     * be released (the session is gone, which took the lock with it, or a statement is stuck), the physical connection
     * is closed, so the pool drops it when it next validates it.
     */
    private void giveBack() {
        Connection c = connection;
        connection = null;
        if (c == null) {
            return;
        }
        try {
            if (locked != null && !c.isClosed()) {
                try (PreparedStatement q = c.prepareStatement("select pg_advisory_unlock(hashtext(?))")) {
                    q.setString(1, LOCK_PREFIX + locked);
                    q.execute();
                }
            }
        } catch (SQLException e) {
            closePhysically(c);
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // the connection is being discarded either way
        }
    }

    private static void closePhysically(Connection c) {
        try {
            ((Connection) c.unwrap(org.postgresql.PGConnection.class)).close();
        } catch (SQLException | ClassCastException ignored) {
            // closed already
        }
    }

    @Override
    public void close() {
        giveBack();
    }
}
