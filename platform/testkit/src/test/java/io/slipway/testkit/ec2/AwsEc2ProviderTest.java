package io.slipway.testkit.ec2;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderException;
import io.slipway.provision.VirtualTicker;
import io.slipway.provision.aws.AwsEc2Config;
import io.slipway.provision.aws.AwsEc2Provider;
import java.nio.file.Path;
import java.util.List;
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
                org.assertj.core.api.Assertions.assertThat(e.kind()).isEqualTo(ProviderException.Kind.AUTH);
                org.assertj.core.api.Assertions.assertThat(e.code()).isEqualTo("AuthFailure");
                org.assertj.core.api.Assertions.assertThat(e.getMessage()).doesNotContain(SECRET);
            });
        }
    }
}
