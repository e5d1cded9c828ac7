package io.slipway.backbone.schema;

import org.flywaydb.core.Flyway;

/**
 * What a service's startup migrates, for code that runs a service's classes without the service around them (tests,
 * benchmarks): its own migrations with the settings every service gives the Quarkus Flyway extension
 * ({@code baseline-on-migrate}, baseline version 1), then the backbone's, from the same callback a service uses.
 */
public final class ServiceMigrations {
    private ServiceMigrations() {
    }

    /** {@code location} is where the service's migrations are, as Flyway names it ({@code filesystem:...}). */
    public static void migrate(String jdbcUrl, String user, String password, String location) {
        Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations(location)
                .baselineOnMigrate(true).baselineVersion("1")
                .callbacks(new BackboneSchemaAfterServiceMigrations())
                .load().migrate();
    }
}
