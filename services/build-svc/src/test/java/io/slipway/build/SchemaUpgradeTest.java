package io.slipway.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.slipway.backbone.schema.BackboneSchema;
import io.slipway.backbone.schema.ServiceMigrations;
import io.slipway.security.Role;
import io.slipway.testkit.Infra;
import io.slipway.testkit.SchemaCatalog;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An upgrade of an install from before migrations: the service starts on tables Hibernate's update made (with the
 * backbone's), Flyway baselines them instead of failing, the later migrations apply, Hibernate validates the
 * entities against them, and the old builds are still there. The migrations of a new install make the same schema.
 */
@QuarkusTest
@TestProfile(SchemaUpgradeTest.WithoutRelay.class)
@WithTestResource(value = SlipwayInfraResource.class, initArgs = {
        @ResourceArg(name = "db", value = "build_before_migrations"),
        @ResourceArg(name = "sql", value = "io/slipway/testkit/backbone-before-migrations.sql, build-before-migrations.sql")})
class SchemaUpgradeTest {
    static final String DB = "build_before_migrations";

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
    void anInstallFromBeforeMigrationsIsBaselinedAndKeepsItsBuilds() throws Exception {
        // baselined at 1, then the later migrations (2: strict builds, 3: build leases, 4: image change intents) apply
        assertThat(history(DB, "flyway_schema_history")).containsExactly("1 BASELINE", "2 SQL", "3 SQL", "4 SQL");
        assertThat(history(DB, BackboneSchema.HISTORY_TABLE)).containsExactly("1 BASELINE", "2 SQL", "3 SQL");

        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/b-before-migrations")
                .then().statusCode(200)
                .body("state", equalTo("Succeeded"))
                .body("layersBuilt", equalTo(3))
                .body("platforms", contains("linux/amd64"));
    }

    @Test
    void aNewInstallGetsTheSchemaHibernatesUpdateMade() throws Exception {
        String fresh = "build_new_" + Long.toHexString(System.nanoTime());
        infra.createDatabaseIfMissing(fresh);
        // what the service does at startup: its migrations (the Quarkus extension's settings), then the backbone's
        ServiceMigrations.migrate(infra.jdbcUrl(fresh), infra.dbUser(), infra.dbPassword(), "filesystem:src/main/resources/db/migration");

        assertThat(history(fresh, "flyway_schema_history")).containsExactly("1 SQL", "2 SQL", "3 SQL", "4 SQL");
        assertThat(history(fresh, BackboneSchema.HISTORY_TABLE)).containsExactly("0 BASELINE", "1 SQL", "2 SQL", "3 SQL");
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
