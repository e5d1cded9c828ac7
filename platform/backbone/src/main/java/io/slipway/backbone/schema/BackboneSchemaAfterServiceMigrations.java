package io.slipway.backbone.schema;

import io.quarkus.flyway.FlywayConfigurationCustomizer;
import jakarta.inject.Singleton;
import java.util.Arrays;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;

/**
 * Migrates the backbone's tables as soon as the service's own migrations are done (the Quarkus Flyway extension's
 * {@code migrate-at-start}, on the service's default datasource). That is the one moment that is both before
 * Hibernate validates the entities, the backbone's among them, and after the service's Flyway has decided whether
 * the database is an install from before migrations (a decision the backbone's tables would otherwise distort).
 */
@Singleton
public class BackboneSchemaAfterServiceMigrations implements FlywayConfigurationCustomizer, Callback {

    @Override
    public void customize(FluentConfiguration configuration) {
        Callback[] callbacks = configuration.getCallbacks();
        Callback[] withThis = Arrays.copyOf(callbacks, callbacks.length + 1);
        withThis[callbacks.length] = this;
        configuration.callbacks(withThis);
    }

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true; // works on connections of its own, never on the service migration's
    }

    @Override
    public void handle(Event event, Context context) {
        BackboneSchema.migrate(context.getConfiguration().getDataSource());
    }

    @Override
    public String getCallbackName() {
        return "slipway-backbone-schema";
    }
}
