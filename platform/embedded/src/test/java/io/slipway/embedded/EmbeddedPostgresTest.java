package io.slipway.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresTest {

    @TempDir
    Path dir;

    @Test
    void logicalDecodingAndDataSurviveARestart() throws Exception {
        long firstPid;
        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir)) {
            firstPid = pg.pid();
            assertThat(pg.host()).isEqualTo("127.0.0.1");
            assertThat(pg.jdbcUrl("app")).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/app");
            try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("logical");
            }
            pg.createDatabaseIfMissing("app");
            pg.createDatabaseIfMissing("app");
            try (Connection c = java.sql.DriverManager.getConnection(pg.jdbcUrl("app"), pg.user(), pg.password());
                 Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id int primary key, v text)");
                st.execute("INSERT INTO t VALUES (1, 'kept')");
            }
        }
        assertThat(ProcessHandle.of(firstPid).filter(ProcessHandle::isAlive)).isEmpty();

        try (EmbeddedPostgres pg = EmbeddedPostgres.start(dir)) {
            try (Connection c = pg.connect("app"); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT v FROM t WHERE id = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("kept");
                }
                try (ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_create_logical_replication_slot('t', 'pgoutput')")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("t");
                }
            }
        }
    }

    @Test
    void aKilledPostmasterStartsAgainOnItsPortWithItsRowsThoughABackendOutlivesIt() throws Exception {
        EmbeddedPostgres first = EmbeddedPostgres.start(dir);
        // as root the server runs through unshare or setpriv: both exec postgres, so the pid is the postmaster's
        assertThat(ProcessHandle.of(first.pid()).flatMap(h -> h.info().command())).hasValueSatisfying(
                command -> assertThat(command).endsWith("/bin/postgres"));
        first.createDatabaseIfMissing("app");
        try (Connection c = first.connect("app"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int primary key, v text)");
            st.execute("INSERT INTO t VALUES (1, 'kept')");
        }
        // a backend busy with a statement notices its postmaster's death only when the statement ends
        Connection busy = first.connect("app");
        long backend = backendPid(busy);
        // on a thread of its own: Process.onExit completes on the common pool, which a blocked task would starve on 2 cores
        ExecutorService own = Executors.newSingleThreadExecutor();
        CompletableFuture<Void> statement = CompletableFuture.runAsync(() -> {
            try (Statement st = busy.createStatement()) {
                st.execute("DO $$ BEGIN WHILE clock_timestamp() < now() + interval '120 seconds' LOOP END LOOP; END $$");
            } catch (SQLException e) {
                // its backend is killed: expected
            }
        }, own);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> isActive(first, backend));
            ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly(); // SIGKILL the postmaster alone, as a crash
            assertThat(first.onExit()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(137);
            assertThat(ProcessHandle.of(backend).filter(ProcessHandle::isAlive)).as("the busy backend outlives its postmaster").isPresent();

            try (EmbeddedPostgres again = EmbeddedPostgres.start(dir, first.port())) {
                assertThat(again.port()).isEqualTo(first.port());
                assertThat(again.jdbcUrl("app")).isEqualTo(first.jdbcUrl("app"));
                try (Connection c = again.connect("app"); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT v FROM t WHERE id = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("kept");
                }
                assertThat(ProcessHandle.of(backend).filter(ProcessHandle::isAlive)).isEmpty();
            }
        } finally {
            first.close(); // nothing to do once it was killed
            ProcessHandle.of(backend).ifPresent(ProcessHandle::destroyForcibly);
            busy.close();
        }
        assertThat(statement).succeedsWithin(Duration.ofSeconds(10));
        own.shutdown();
    }

    private static long backendPid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean isActive(EmbeddedPostgres pg, long backend) throws SQLException {
        try (Connection c = pg.connect("app");
             PreparedStatement st = c.prepareStatement("SELECT state FROM pg_stat_activity WHERE pid = ?")) {
            st.setInt(1, (int) backend);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() && "active".equals(rs.getString(1));
            }
        }
    }
}
