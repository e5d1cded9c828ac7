package io.slipway.event;

import io.slipway.backbone.schema.BackboneSchemaAfterServiceMigrations;
import io.slipway.testkit.Infra;
import org.flywaydb.core.Flyway;

/** event-svc's schema in a database of a test that runs its classes without the service: what its startup migrates. */
public final class ServiceSchema {
    private ServiceSchema() {
    }

    /** The service's migrations with the Quarkus extension's settings, then the backbone's (its callback). */
    public static void migrate(Infra infra, String db) {
        Flyway.configure()
                .dataSource(infra.jdbcUrl(db), infra.dbUser(), infra.dbPassword())
                .locations("filesystem:src/main/resources/db/migration")
                .baselineOnMigrate(true).baselineVersion("1")
                .callbacks(new BackboneSchemaAfterServiceMigrations())
                .load().migrate();
    }
}
