package io.slipway.event;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.slipway.backbone.schema.BackboneSchema;
import io.slipway.backbone.schema.ServiceMigrations;
import io.slipway.testkit.Infra;
import io.slipway.testkit.SchemaCatalog;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.SlipwayInfraResource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An upgrade of an install from before migrations whose ingest never ran: it had only the backbone's tables, made by
 * Hibernate's update. Flyway baselines it at 1 and the ingest's tables (version 2) are created; a new install gets
 * the same schema.
 */
@QuarkusTest
@TestProfile(SchemaUpgradeTest.WithoutRelay.class)
@WithTestResource(value = SlipwayInfraResource.class, initArgs = {
        @ResourceArg(name = "db", value = "event_before_migrations"),
        @ResourceArg(name = "sql", value = "io/slipway/testkit/backbone-before-migrations.sql")})
class SchemaUpgradeTest {
    static final String DB = "event_before_migrations";

    final Infra infra = SlipwayInfra.get();

    /**
     * The schema is migrated before the relay would start, and this application lives seconds: a relay stopped while
     * its connector starts leaves Debezium's metrics registered, and the next application's relay waits a minute for
     * the name.
     */
    public static class WithoutRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("slipway.relay.enabled", "false");
        }
    }

    @Test
    void anInstallFromBeforeMigrationsIsBaselinedAndGetsTheIngestTables() throws Exception {
        assertThat(history(DB, "flyway_schema_history")).containsExactly("1 BASELINE", "2 SQL", "3 SQL");
        assertThat(history(DB, BackboneSchema.HISTORY_TABLE)).containsExactly("1 BASELINE", "2 SQL", "3 SQL");
        try (Connection c = connect(DB)) {
            assertThat(SchemaCatalog.describe(c))
                    .contains("ingest_seen index CREATE INDEX ingest_seen_by_age ON public.ingest_seen USING btree (cluster, seen_at)")
                    .anyMatch(l -> l.startsWith("ingest_checkpoint.resource_version"))
                    .anyMatch(l -> l.startsWith("ingest_topic_position.next_offset"));
        }
    }

    @Test
    void aNewInstallGetsTheSameSchema() throws Exception {
        String fresh = "event_new_" + Long.toHexString(System.nanoTime());
        infra.createDatabaseIfMissing(fresh);
        // what the service does at startup: its migrations, then the backbone's
        ServiceMigrations.migrate(infra.jdbcUrl(fresh), infra.dbUser(), infra.dbPassword(), "filesystem:src/main/resources/db/migration");

        assertThat(history(fresh, "flyway_schema_history")).containsExactly("1 SQL", "2 SQL", "3 SQL");
        try (Connection made = connect(fresh); Connection upgraded = connect(DB)) {
            assertThat(SchemaCatalog.describe(made)).isEqualTo(SchemaCatalog.describe(upgraded));
        }
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(db), infra.dbUser(), infra.dbPassword());
    }

    List<String> history(String db, String table) throws SQLException {
        try (Connection c = connect(db)) {
            return SchemaCatalog.history(c, table);
        }
    }
}
