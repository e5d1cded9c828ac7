package io.slipway.infra.pool;

import io.slipway.testkit.Needs;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.slipway.provision.local.LocalProvider;
import io.slipway.provision.ssh.SshProbe;
import io.slipway.security.Role;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The way a new user gets hosts on a laptop: a pool from the default {@code local} provider becomes real SSH hosts on
 * this machine, each node's recorded host key is the one its server presents to a separate probe, and deleting the
 * pool takes the hosts away again.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "infra"))
class LocalPoolTest {

    @Test
    void aLocalPoolIsRealSshHostsWithTheirKeysRecordedAndDeletingItRemovesThem() {
        Needs.machine(LocalProvider.Mode.best().isPresent(), "needs root (namespaces) or unprivileged user namespaces");
        // twice under one id: a pool made again after its delete gets new hosts, not the deleted pool's answers
        createReadyAndDelete();
        createReadyAndDelete();
    }

    private static void createReadyAndDelete() {
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"poolId\":\"laptop\",\"provider\":\"local\",\"roles\":[{\"role\":\"master\",\"count\":1},{\"role\":\"node\",\"count\":1}]}")
                .post("/api/v1/infra/pools").then().statusCode(202);
        JsonPath ready = PoolProvisioningTest.awaitState("laptop", "Ready");
        List<Map<String, Object>> nodes = ready.getList("nodes");
        assertThat(nodes).hasSize(2);
        try (SshProbe probe = new SshProbe(Duration.ofSeconds(5))) {
            for (Map<String, Object> n : nodes) {
                String address = (String) n.get("address");
                int port = (Integer) n.get("sshPort");
                assertThat(probe.hostKey(address, port)).as("node %s answers SSH with the key infra-svc recorded", n.get("id"))
                        .contains((String) n.get("hostKey"));
            }
            given().header("Authorization", TestTokens.bearer(Role.operator)).delete("/api/v1/infra/pools/laptop").then().statusCode(202);
            PoolProvisioningTest.awaitState("laptop", "Deleted");
            for (Map<String, Object> n : nodes) {
                String address = (String) n.get("address");
                int port = (Integer) n.get("sshPort");
                await().atMost(Duration.ofSeconds(30)).until(() -> probe.hostKey(address, port).isEmpty());
            }
        }
    }
}
