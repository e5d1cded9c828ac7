package io.slipway.backbone.outbox;

import io.quarkus.runtime.StartupEvent;
import io.slipway.backbone.BackboneConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What must exist before the first event is written, or that event is never relayed: the logical replication slot
 * that holds every outbox message from then on until the relay has published it, and the publication pgoutput
 * streams through. The publication carries the inserts of the former outbox table, which events written before the
 * upgrade to logical decoding messages may still wait in (see DESIGN.md, "Upgrading from the outbox table"). Created
 * at startup by every instance (idempotent); until then {@link Outbox} refuses writes. The former table comes from the
 * backbone's migrations ({@link io.slipway.backbone.schema.BackboneSchema}).
 */
@ApplicationScoped
public class OutboxSchema {
    private static final Logger LOG = Logger.getLogger(OutboxSchema.class);

    private final BackboneConfig config;
    private volatile boolean ready;
    private volatile String problem = "not prepared yet";
    private ScheduledExecutorService retry;

    OutboxSchema(BackboneConfig config) {
        this.config = config;
    }

    void onStart(@Observes @jakarta.annotation.Priority(10) StartupEvent event) {
        if (!tryPrepare()) {
            retry = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "outbox-schema-" + config.domain()));
            retry.scheduleWithFixedDelay(() -> {
                if (tryPrepare()) {
                    retry.shutdown();
                }
            }, 1, 2, TimeUnit.SECONDS);
        }
    }

    /** Whether events can be written now without risk of never being relayed. */
    public boolean ready() {
        return ready;
    }

    /** Why not, when not ready. */
    public String problem() {
        return problem;
    }

    private synchronized boolean tryPrepare() {
        if (ready) {
            return true;
        }
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.db().user(), config.db().password())) {
            prepare(c, config.slotName());
            ready = true;
            LOG.infof("outbox of domain %s ready (publication and slot %s)", config.domain(), config.slotName());
            return true;
        } catch (SQLException e) {
            problem = "database " + config.db().host() + ":" + config.db().port() + "/" + config.db().name() + ": " + e.getMessage();
            LOG.warnf("outbox of domain %s not ready, retrying: %s", config.domain(), problem);
            return false;
        }
    }

    /**
     * Idempotent. The publication carries inserts only: the rows were never updated, and their removal (a truncate or
     * a delete by an operator) must not travel.
     */
    public static void prepare(Connection c, String name) throws SQLException {
        try (var st = c.createStatement()) {
            boolean publication;
            try (var q = c.prepareStatement("select 1 from pg_publication where pubname = ?")) {
                q.setString(1, name);
                publication = q.executeQuery().next();
            }
            st.execute(publication
                    ? "alter publication \"" + name + "\" set (publish = 'insert')"
                    : "create publication \"" + name + "\" for table public.outbox_event with (publish = 'insert')");
            boolean slot;
            try (var q = c.prepareStatement("select 1 from pg_replication_slots where slot_name = ?")) {
                q.setString(1, name);
                slot = q.executeQuery().next();
            }
            if (!slot) {
                try (var create = c.prepareStatement("select pg_create_logical_replication_slot(?, 'pgoutput')")) {
                    create.setString(1, name);
                    create.execute();
                } catch (SQLException e) {
                    if (!"42710".equals(e.getSQLState())) { // created meanwhile by another instance
                        throw e;
                    }
                }
            }
        }
    }

    void onStop(@Observes io.quarkus.runtime.ShutdownEvent event) {
        if (retry != null) {
            retry.shutdownNow();
        }
    }
}
