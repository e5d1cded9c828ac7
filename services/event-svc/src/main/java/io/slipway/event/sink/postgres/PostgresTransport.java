package io.slipway.event.sink.postgres;

import io.slipway.event.route.Target;
import io.slipway.event.sink.HttpSend;
import io.slipway.event.sink.Notification;
import io.slipway.event.sink.Outcome;
import io.slipway.event.sink.SinkEvent;
import io.slipway.events.kube.KubeEvent;
import io.slipway.event.sink.Transport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A PostgreSQL table with one row per occurrence, keyed by event uid and count: {@code insert ... on conflict do
 * nothing}, so redelivered events change nothing. The table is created when missing. A batch is one transaction; if
 * PostgreSQL refuses it for its data, the rows are tried one by one so only the bad one is dead-lettered. Lost
 * connections, serialization failures and resource shortages are retried.
 */
public final class PostgresTransport implements Transport {
    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

    private final Target.Postgres target;
    private final int timeoutSeconds;
    private Connection connection;
    private boolean tableReady;

    public PostgresTransport(Target.Postgres target, java.time.Duration timeout) {
        this.target = target;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
    }

    @Override
    public List<Outcome> send(Notification n) {
        try {
            Connection c = connection();
            try (PreparedStatement insert = c.prepareStatement(insertSql())) {
                for (SinkEvent e : n.events()) {
                    bind(insert, e.event());
                    insert.addBatch();
                }
                insert.executeBatch();
                c.commit();
                return List.of(Outcome.DELIVERED);
            } catch (SQLException e) {
                rollback(c);
                if (isDataError(e) && n.events().size() > 1) {
                    return oneByOne(c, n.events());
                }
                return List.of(outcome(e));
            }
        } catch (SQLException e) {
            return List.of(outcome(e));
        }
    }

    private List<Outcome> oneByOne(Connection c, List<SinkEvent> events) {
        List<Outcome> outcomes = new ArrayList<>();
        for (SinkEvent e : events) {
            try (PreparedStatement insert = c.prepareStatement(insertSql())) {
                bind(insert, e.event());
                insert.executeUpdate();
                c.commit();
                outcomes.add(Outcome.DELIVERED);
            } catch (SQLException ex) {
                rollback(c);
                outcomes.add(outcome(ex));
            }
        }
        return outcomes;
    }

    private Outcome outcome(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String why = "PostgreSQL " + state + ": " + firstLine(e.getMessage());
        if (isDataError(e)) {
            return Outcome.rejected(why);
        }
        if (state.startsWith("08") || state.isEmpty()) {
            close();
        }
        return Outcome.retry(why);
    }

    /** Class 22 (data exception) and 23 (integrity violation): this row can never be stored as it is. */
    private static boolean isDataError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("22") || state.startsWith("23");
    }

    private Connection connection() throws SQLException {
        if (connection != null && !connection.isClosed()) {
            return connection;
        }
        Properties p = new Properties();
        if (target.user() != null) {
            p.setProperty("user", target.user());
        }
        if (target.password() != null) {
            p.setProperty("password", target.password());
        }
        p.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        p.setProperty("socketTimeout", String.valueOf(timeoutSeconds * 3));
        p.setProperty("ApplicationName", "slipway-event-sink");
        // the driver itself, not DriverManager: DriverManager only offers drivers visible to the caller's class loader
        connection = DRIVER.connect(target.url(), p);
        if (connection == null) {
            throw new SQLException("not a PostgreSQL JDBC URL", "08001");
        }
        connection.setAutoCommit(false);
        if (!tableReady) {
            try (var s = connection.createStatement()) {
                s.execute(createSql());
                connection.commit();
                tableReady = true;
            } catch (SQLException e) {
                rollback(connection);
                throw e;
            }
        }
        return connection;
    }

    private String createSql() {
        return "create table if not exists " + target.table() + " (event_uid text not null, count integer not null, cluster text,"
                + " namespace text, type text, reason text, message text, involved_kind text, involved_name text, involved_namespace text,"
                + " involved_uid text, involved_api_version text, labels jsonb, annotations jsonb, source text, source_host text,"
                + " first_seen timestamptz, last_seen timestamptz, stored_at timestamptz not null default now(),"
                + " primary key (event_uid, count))";
    }

    private String insertSql() {
        return "insert into " + target.table() + " (event_uid, count, cluster, namespace, type, reason, message, involved_kind, involved_name,"
                + " involved_namespace, involved_uid, involved_api_version, labels, annotations, source, source_host, first_seen, last_seen)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), cast(? as jsonb), ?, ?, ?, ?)"
                + " on conflict (event_uid, count) do nothing";
    }

    private static void bind(PreparedStatement s, KubeEvent e) throws SQLException {
        s.setString(1, e.getUid());
        s.setInt(2, e.getCount());
        s.setString(3, e.getCluster());
        s.setString(4, e.getNamespace());
        s.setString(5, e.getType());
        s.setString(6, e.getReason());
        s.setString(7, e.getMessage());
        s.setString(8, e.getInvolvedKind());
        s.setString(9, e.getInvolvedName());
        s.setString(10, e.getInvolvedNamespace());
        s.setString(11, e.getInvolvedUid());
        s.setString(12, e.getInvolvedApiVersion());
        s.setString(13, json(e.getInvolvedLabels()));
        s.setString(14, json(e.getInvolvedAnnotations()));
        s.setString(15, e.getSource());
        s.setString(16, e.getSourceHost());
        timestamp(s, 17, e.getFirstSeen());
        timestamp(s, 18, e.getLastSeen());
    }

    private static void timestamp(PreparedStatement s, int i, Instant t) throws SQLException {
        if (t == null) {
            s.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setTimestamp(i, Timestamp.from(t));
        }
    }

    private static String json(Map<String, String> m) {
        try {
            return HttpSend.JSON.writeValueAsString(m == null ? Map.of() : m);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the next send opens a new one
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException ignored) {
            // closing a broken connection
        } finally {
            connection = null;
        }
    }
}
