package io.slipway.backbone.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.Infra;
import io.slipway.testkit.SchemaCatalog;
import io.slipway.testkit.SlipwayInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The backbone's migrations against real PostgreSQL: a new database, an install from before migrations, instances starting together. */
class BackboneSchemaTest {
    static final String BEFORE_MIGRATIONS = "io/slipway/testkit/backbone-before-migrations.sql";

    final Infra infra = SlipwayInfra.get();

    @Test
    void aNewDatabaseGetsEveryTableOnceAndTheSameSchemaAnOldInstallHas() throws Exception {
        String db = newDatabase("bbnew");
        migrate(db);
        migrate(db);

        assertThat(history(db)).containsExactly("1 SQL", "2 SQL", "3 SQL");
        try (Connection c = connect(db)) {
            assertThat(SchemaCatalog.describe(c)).isEqualTo(describeOldInstallAfterMigrating());
        }
    }

    @Test
    void aDatabaseHoldingOnlyTheServicesOwnTablesIsMigratedNotBaselined() throws Exception {
        String db = newDatabase("bbservice");
        try (Connection c = connect(db)) {
            // what the service's own Flyway has done by the time the backbone's runs
            c.createStatement().execute("create table build (id varchar(255) not null, primary key (id))");
            c.createStatement().execute("create table flyway_schema_history (installed_rank int primary key)");
        }
        migrate(db);

        assertThat(history(db)).containsExactly("0 BASELINE", "1 SQL", "2 SQL", "3 SQL");
        try (Connection c = connect(db)) {
            assertThat(SchemaCatalog.describe(c)).anyMatch(l -> l.startsWith("processed_event.event_id"))
                    .anyMatch(l -> l.startsWith("relay_offset.owner"))
                    .as("the index DedupRetention prunes by").anyMatch(l -> l.contains("processed_event_group_time"));
        }
    }

    @Test
    void anInstallFromBeforeMigrationsIsBaselinedKeepsItsRowsAndGetsTheLaterMigrations() throws Exception {
        String db = newDatabase("bbold");
        try (Connection c = connect(db)) {
            SchemaCatalog.runScript(c, BEFORE_MIGRATIONS);
            c.createStatement().execute("drop table relay_offset"); // no relay had ever started there
            c.createStatement().execute("insert into processed_event values ('deploy', 'e-1', 7, 0, now(), 'slipway.build.events')");
        }
        migrate(db);

        assertThat(history(db)).containsExactly("1 BASELINE", "2 SQL", "3 SQL");
        try (Connection c = connect(db); ResultSet rs = c.createStatement().executeQuery("select event_id from processed_event")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("e-1");
            assertThat(SchemaCatalog.describe(c)).isEqualTo(describeOldInstallAfterMigrating());
        }
    }

    @Test
    void instancesStartingTogetherMigrateOrBaselineOnce() throws Exception {
        String fresh = newDatabase("bbtogether");
        String old = newDatabase("bbtogetherold");
        try (Connection c = connect(old)) {
            SchemaCatalog.runScript(c, BEFORE_MIGRATIONS);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> migrate(fresh)));
                runs.add(pool.submit(() -> migrate(old)));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(history(fresh)).containsExactly("1 SQL", "2 SQL", "3 SQL");
        assertThat(history(old)).containsExactly("1 BASELINE", "2 SQL", "3 SQL");
    }

    @Test
    void everyMigrationFileIsListed() throws Exception {
        Path dir = Path.of(getClass().getClassLoader().getResource(BackboneSchema.LOCATION).toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(BackboneSchema.MIGRATIONS);
        }
    }

    /** An install from before migrations (its relay ran, so relay_offset exists), after the backbone migrated it. */
    List<String> describeOldInstallAfterMigrating() throws SQLException {
        String db = newDatabase("bbreference");
        try (Connection c = connect(db)) {
            SchemaCatalog.runScript(c, BEFORE_MIGRATIONS);
        }
        migrate(db);
        assertThat(history(db)).containsExactly("1 BASELINE", "2 SQL", "3 SQL");
        try (Connection c = connect(db)) {
            return SchemaCatalog.describe(c);
        }
    }

    String newDatabase(String prefix) {
        String name = prefix + Long.toHexString(System.nanoTime());
        infra.createDatabaseIfMissing(name);
        return name;
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(db), infra.dbUser(), infra.dbPassword());
    }

    Void migrate(String db) {
        BackboneSchema.migrate(infra.jdbcUrl(db), infra.dbUser(), infra.dbPassword());
        return null;
    }

    List<String> history(String db) throws SQLException {
        try (Connection c = connect(db)) {
            return SchemaCatalog.history(c, BackboneSchema.HISTORY_TABLE);
        }
    }
}
