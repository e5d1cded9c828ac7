package io.slipway.backbone.schema;

import io.slipway.backbone.BackboneConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resource.classpath.ClassPathResource;
import org.jboss.logging.Logger;

/**
 * Migrates the backbone's own tables (processed_event, outbox_event, relay_offset) in a service's database with
 * Flyway, under a history table of their own, so that no service carries a copy of them. Idempotent and safe when
 * several instances start at once. In a service it runs right after the service's own migrations
 * ({@link BackboneSchemaAfterServiceMigrations}); see DESIGN.md, "Schema".
 */
public final class BackboneSchema {
    private static final Logger LOG = Logger.getLogger(BackboneSchema.class);

    /** The backbone's Flyway history; a service's own migrations keep Flyway's default table. */
    public static final String HISTORY_TABLE = "backbone_schema_history";

    static final String LOCATION = "db/backbone";

    /**
     * Every migration under {@link #LOCATION}, in order. Listed, not scanned: Flyway's scanner lists a directory
     * through the class loader, which a packaged Quarkus application's need not support for a directory inside a jar
     * (the Quarkus extension lists the service's migrations at build time for that reason). A test checks this list
     * against the directory.
     */
    static final List<String> MIGRATIONS = List.of(
            "V1__processed_event_and_outbox_event.sql",
            "V2__relay_offset.sql",
            "V3__processed_event_prune_index.sql");

    /** The version whose tables every install made before migrations has (Hibernate's update made them). */
    static final String BASELINE_VERSION = "1";

    /** Tables of the baseline version: a database with one of them and no history is such an install. */
    private static final List<String> BASELINE_TABLES = List.of("processed_event", "outbox_event");

    private static final String LOCK = "slipway-backbone-schema";

    private BackboneSchema() {
    }

    /** Migrates the database of {@code config} (for the relay and tools that run outside a service). */
    public static void migrate(BackboneConfig config) {
        migrate(config.jdbcUrl(), config.db().user(), config.db().password());
    }

    public static void migrate(String jdbcUrl, String user, String password) {
        migrate(flyway().dataSource(jdbcUrl, user, password));
    }

    /** Migrates the database behind {@code dataSource}. */
    public static void migrate(DataSource dataSource) {
        migrate(flyway().dataSource(dataSource));
    }

    private static FluentConfiguration flyway() {
        ClassLoader loader = BackboneSchema.class.getClassLoader();
        return Flyway.configure(loader)
                .table(HISTORY_TABLE)
                .locations("classpath:" + LOCATION)
                .resourceProvider(new ListedMigrations(loader))
                .baselineOnMigrate(true);
    }

    private static void migrate(FluentConfiguration flyway) {
        try (Connection c = flyway.getDataSource().getConnection()) {
            // One instance at a time decides how to baseline, then migrates.
            try (PreparedStatement lock = c.prepareStatement("select pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, LOCK);
                lock.execute();
            }
            try {
                // A database without the backbone's history is never empty here (the service's own tables and history
                // are in it), so Flyway baselines it: at 1 where the tables made before migrations are, else at 0 so
                // that every migration still runs.
                boolean madeBeforeMigrations = !tableExists(c, HISTORY_TABLE) && BASELINE_TABLES.stream().anyMatch(t -> tableExists(c, t));
                if (madeBeforeMigrations) {
                    LOG.infof("backbone tables made before migrations found: baselining them at version %s", BASELINE_VERSION);
                }
                var result = flyway
                        .baselineVersion(madeBeforeMigrations ? BASELINE_VERSION : "0")
                        .baselineDescription(madeBeforeMigrations ? "backbone tables made before migrations" : "no backbone tables yet")
                        .load()
                        .migrate();
                if (result.migrationsExecuted > 0) {
                    LOG.infof("backbone schema migrated to version %s (%d migrations)", result.targetSchemaVersion, result.migrationsExecuted);
                }
            } finally {
                try (PreparedStatement unlock = c.prepareStatement("select pg_advisory_unlock(hashtext(?))")) {
                    unlock.setString(1, LOCK);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot migrate the backbone's tables: " + e.getMessage(), e);
        }
    }

    private static boolean tableExists(Connection c, String table) {
        try (PreparedStatement q = c.prepareStatement("select to_regclass(?) is not null")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot look for table " + table + ": " + e.getMessage(), e);
        }
    }

    /** Hands Flyway the listed migrations as class path resources. */
    private record ListedMigrations(ClassLoader loader) implements ResourceProvider {
        private static final Location LOCATED = new Location("classpath:" + LOCATION);

        @Override
        public LoadableResource getResource(String name) {
            return MIGRATIONS.contains(name) ? resource(name) : null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            return MIGRATIONS.stream()
                    .filter(name -> name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith))
                    .map(this::resource)
                    .toList();
        }

        private LoadableResource resource(String name) {
            return new ClassPathResource(LOCATED, LOCATION + "/" + name, loader, StandardCharsets.UTF_8);
        }
    }
}
