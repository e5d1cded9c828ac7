package io.slipway.infra.provision;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.Ticker;
import io.slipway.provision.aws.AwsEc2Config;
import io.slipway.provision.aws.AwsEc2Provider;
import io.slipway.testkit.ec2.Ec2Options;
import io.slipway.testkit.ec2.Quota;
import io.slipway.testkit.ec2.SimulatedEc2;
import io.slipway.testkit.ec2.SimulatedEc2Endpoint;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test kind {@code simulated-aws}: the real {@code aws} provider (AWS SDK v2, EC2 Query protocol over HTTP) against the
 * test kit's simulated EC2 endpoint on the machine's clock, with boots of a second or two. Only SSH readiness is
 * answered by the simulation, as its instances are not machines. Settings: {@code seed}, {@code quota} (API requests
 * per second, for mutating and describe calls alike; default unthrottled), {@code lost-response-rate}.
 */
@ApplicationScoped
public class SimulatedAwsProviders implements ProviderFactory {
    /** The simulated region behind each provider name, for tests to inspect its own record. */
    public static final Map<String, SimulatedEc2> REGIONS = new ConcurrentHashMap<>();
    private static final String ACCESS_KEY_ID = "AKIASIMULATEDKEY0001";

    @Override
    public String kind() {
        return "simulated-aws";
    }

    @Override
    public OpenProvider open(String name, Map<String, String> settings) {
        Ec2Options.Builder options = Ec2Options.builder().boot(Duration.ofMillis(1200), Duration.ofMillis(3000))
                .bootFloor(Duration.ofMillis(500)).sshDelay(Duration.ofMillis(100), Duration.ofMillis(400))
                .visibilityDelayMax(Duration.ofMillis(800)).shutdown(Duration.ofMillis(100), Duration.ofMillis(300));
        String quota = settings.get("quota");
        if (quota == null) {
            options.noThrottling();
        } else {
            double perSecond = Double.parseDouble(quota);
            Quota q = new Quota(Math.max(1, perSecond), perSecond);
            // request-rate buckets only: EC2's resource buckets count instances (1000 deep), not calls
            options.mutating(q).nonMutating(q).unfilteredNonMutating(q);
        }
        if (settings.containsKey("lost-response-rate")) {
            options.lostResponseRate(Double.parseDouble(settings.get("lost-response-rate")));
        }
        SimulatedEc2 ec2 = new SimulatedEc2(options.build(), Long.parseLong(settings.getOrDefault("seed", "7")), Ticker.system());
        SimulatedEc2Endpoint endpoint = SimulatedEc2Endpoint.start(ec2, ACCESS_KEY_ID);
        REGIONS.put(name, ec2);
        AwsEc2Config config = AwsEc2Config.of("eu-west-1", ACCESS_KEY_ID, "simulated-secret-never-logged", "ec2-user",
                Path.of("target/simulated-aws-key")).withEndpoint(endpoint.uri()).withDefaultImage("ami-0123456789abcdef0")
                .withCallTimeout(Duration.ofSeconds(5));
        // the endpoint lives as long as the test JVM, like a cloud region outlives the service
        NodeProvider provider = new AwsEc2Provider(config);
        return new OpenProvider(provider, node -> ec2.sshHostKey(node.id()));
    }
}
