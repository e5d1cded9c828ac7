package io.slipway.testkit.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.provision.NodeProvider;
import io.slipway.provision.ProviderNode;
import io.slipway.provision.SshReadiness;
import io.slipway.provision.VirtualTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code simulated} provider keeps the EC2 providers' contract, and times its calls on the virtual clock. */
class SimulatedProviderTest extends Ec2ProviderContract {

    @Override
    NodeProvider providerOver(SimulatedEc2 ec2, VirtualTicker clock, int listPageSize, List<AutoCloseable> toClose) {
        return new SimulatedProvider(ec2, clock, Duration.ofMillis(50),
                io.slipway.provision.SshLogin.password("slipway", "pw-simulated-secret"), listPageSize);
    }

    @Override
    List<String> secrets() {
        return List.of("pw-simulated-secret");
    }

    @Test
    void eachCallTakesItsLatencyOnTheVirtualClock() {
        given(io.slipway.testkit.ec2.Ec2Options.defaults());
        provider.create(request("pool-a", "node", 1, 0));
        provider.listPooled();

        assertThat(clock.now()).isEqualTo(START.plusMillis(100));
    }

    @Test
    void aLostResponseCostsTheClientItsCallTimeout() {
        given(Ec2Options.defaults());
        ec2.failNext("DescribeInstances", Ec2Fault.RESPONSE_LOST);
        Instant before = clock.now();

        org.assertj.core.api.Assertions.catchThrowable(() -> provider.listPooled());

        assertThat(clock.now()).isEqualTo(before.plus(SimulatedProvider.DEFAULT_CALL_TIMEOUT));
    }

    @Test
    void sshAnswersWithAStableHostKeyOnceTheNodesSshdIsUp() {
        given(Ec2Options.defaults());
        ProviderNode node = provider.create(request("pool-a", "node", 1, 0)).nodes().get(0);
        SshReadiness ssh = ((SimulatedProvider) provider).sshReadiness();
        SimulationRecord.InstanceLife life = ec2.record().instances().get(0);

        assertThat(ssh.hostKey(node)).isEmpty();
        clock.sleep(Duration.between(clock.now(), life.sshReadyAt()));
        assertThat(ssh.hostKey(node)).hasValueSatisfying(k -> assertThat(k).startsWith("ssh-ed25519 "));
        assertThat(ssh.hostKey(node)).isEqualTo(ssh.hostKey(node));
    }
}
