package io.slipway.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
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
}
