package io.slipway.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.slipway.security.Tokens;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test resource: points a service at the JVM's shared Kafka and at a database of its own (init arg
 * {@code db}), and makes it trust {@link TestTokens}. Use {@code @WithTestResource(value = SlipwayInfraResource.class,
 * initArgs = @ResourceArg(name = "db", value = "deploy"))}.
 */
public class SlipwayInfraResource implements QuarkusTestResourceLifecycleManager {
    private String db = "slipway";

    @Override
    public void init(Map<String, String> initArgs) {
        db = initArgs.getOrDefault("db", db);
    }

    @Override
    public Map<String, String> start() {
        Infra infra = SlipwayInfra.get();
        infra.createDatabaseIfMissing(db);
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
