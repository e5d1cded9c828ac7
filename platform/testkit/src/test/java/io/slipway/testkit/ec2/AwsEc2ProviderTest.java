package io.slipway.testkit.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.CreateRequest;
import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.aws.AwsEc2Config;
import io.slipway.provision.aws.AwsEc2Provider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code aws} provider, through the real AWS SDK client, against the simulated EC2 endpoint. */
class AwsEc2ProviderTest extends Ec2ProviderContract {
    private static final String ACCESS_KEY_ID = "AKIASIMULATED0000001";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/simulatedSECRETkey";

    private SimulatedEc2Endpoint endpoint;

    private static AwsEc2Config config() {
        return AwsEc2Config.of("eu-west-1", ACCESS_KEY_ID, SECRET, "ec2-user", Path.of("/home/slipway/.ssh/id_ed25519"));
    }

    @Override
    NodeProvider providerOver(SimulatedEc2 ec2, VirtualTicker clock, int listPageSize, List<AutoCloseable> toClose) {
        endpoint = SimulatedEc2Endpoint.start(ec2, ACCESS_KEY_ID);
        toClose.add(endpoint);
        return new AwsEc2Provider(config().withEndpoint(endpoint.uri()).withListPageSize(listPageSize));
    }

    @Override
    List<String> secrets() {
        return List.of(SECRET);
    }

    @Test
    void credentialsOfAnotherAccessKeyAreAnAuthFailure() {
        given(Ec2Options.defaults());
        AwsEc2Config other = AwsEc2Config.of("eu-west-1", "AKIAOTHER00000000000", SECRET, "ec2-user", Path.of("/k"))
                .withEndpoint(endpoint.uri());
        try (AwsEc2Provider stranger = new AwsEc2Provider(other)) {
            assertThatThrownBy(stranger::listPooled).isInstanceOfSatisfying(ProviderException.class, e -> {
                assertThat(e.kind()).isEqualTo(ProviderException.Kind.AUTH);
                assertThat(e.code()).isEqualTo("AuthFailure");
                assertThat(e.getMessage()).doesNotContain(SECRET);
            });
        }
    }

    @Test
    void theLaunchSettingsOfTheConfigurationGoWithTheCreate() {
        given(Ec2Options.defaults());
        CreateRequest request = request("pool-a", "node", 1, 0);
        provider.create(request);
        AwsEc2Config inASubnet = new AwsEc2Config("eu-west-1", ACCESS_KEY_ID, SECRET, endpoint.uri(), "slipway-key",
                "subnet-0abc", List.of("sg-0def"), null, null, "ec2-user", Path.of("/k"), null, 1000);

        try (AwsEc2Provider other = new AwsEc2Provider(inASubnet)) {
            assertThatThrownBy(() -> other.create(request)).isInstanceOfSatisfying(ProviderException.class, e ->
                    assertThat(e.code()).isEqualTo("IdempotentParameterMismatch"));
            assertThat(other.create(request("pool-a", "node", 1, 1)).nodes()).hasSize(1);
        }
    }

    @Test
    void aRoleWithoutAnImageNeedsADefaultImage() {
        given(Ec2Options.defaults());
        CreateRequest noImage = new CreateRequest("pool-a", "node", null, null, 1,
                CreateRequest.tokenFor("pool-a", "node", 0, 0), Map.of());

        assertThatThrownBy(() -> provider.create(noImage)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
            assertThat(e.getMessage()).contains("pool-a", "node", "image");
        });
        try (AwsEc2Provider withDefault = new AwsEc2Provider(config().withEndpoint(endpoint.uri())
                .withDefaultImage("ami-0123456789abcdef0"))) {
            assertThat(withDefault.create(noImage).nodes()).hasSize(1);
        }
        assertThat(ec2.record().instances()).extracting(SimulationRecord.InstanceLife::instanceType).containsExactly("m5.large");
    }

    @Test
    void theConfigurationNeverShowsItsSecret() {
        assertThat(config().toString()).contains(ACCESS_KEY_ID).doesNotContain(SECRET);
    }
}
