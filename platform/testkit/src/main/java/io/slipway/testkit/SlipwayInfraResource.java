package io.slipway.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.slipway.security.Tokens;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Quarkus test resource: points a service at the JVM's shared Kafka and at a database of its own (init arg
 * {@code db}), and makes it trust {@link TestTokens}. Use {@code @WithTestResource(value = SlipwayInfraResource.class,
 * initArgs = @ResourceArg(name = "db", value = "deploy"))}. Init arg {@code sql}: class path SQL scripts, comma
 * separated, run into the database when this resource creates it (an install as an older release left it, say).
 */
public class SlipwayInfraResource implements QuarkusTestResourceLifecycleManager {
    private String db = "slipway";
    private List<String> scripts = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        db = initArgs.getOrDefault("db", db);
        String sql = initArgs.getOrDefault("sql", "");
        scripts = sql.isBlank() ? List.of() : List.of(sql.strip().split("\\s*,\\s*"));
    }

    @Override
    public Map<String, String> start() {
        Infra infra = SlipwayInfra.get();
        if (infra.createDatabaseIfMissing(db) && !scripts.isEmpty()) {
            try (Connection c = DriverManager.getConnection(infra.jdbcUrl(db), infra.dbUser(), infra.dbPassword())) {
                for (String script : scripts) {
                    SchemaCatalog.runScript(c, script);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot prepare database " + db + " with " + scripts + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> config = new HashMap<>();
        config.put("slipway.kafka.bootstrap-servers", infra.bootstrapServers());
        config.put("slipway.db.host", infra.dbHost());
        config.put("slipway.db.port", String.valueOf(infra.dbPort()));
        config.put("slipway.db.name", db);
        config.put("slipway.db.user", infra.dbUser());
        config.put("slipway.db.password", infra.dbPassword());
        config.put("mp.jwt.verify.publickey", TestTokens.publicKeyPem());
        config.put("mp.jwt.verify.issuer", Tokens.ISSUER);
        return config;
    }

    @Override
    public void stop() {
        // The infrastructure outlives each test class: it is shared by the whole test JVM and stopped at its exit.
    }
}
