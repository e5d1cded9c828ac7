package io.slipway.deploy.flow;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import io.restassured.response.Response;
import io.slipway.security.Role;
import io.slipway.testkit.TestTokens;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The cluster REST calls the flow tests make, as an operator and a viewer would. */
final class ClusterCalls {
    private ClusterCalls() {
    }

    static Response apply(String clusterfile) {
        return given().header("Authorization", TestTokens.bearer(Role.operator)).contentType("application/yaml")
                .body(clusterfile.getBytes(StandardCharsets.UTF_8)).post("/api/v1/deploy/clusters/apply");
    }

    static Map<String, Object> cluster(String name) {
        return given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/deploy/clusters/" + name)
                .then().statusCode(200).extract().jsonPath().getMap("$");
    }

    /** The cluster once its operation settled (two minutes at most). */
    static Map<String, Object> awaitSettled(String name) {
        await().atMost(Duration.ofMinutes(2)).until(() -> !(Boolean) cluster(name).get("pending"));
        return cluster(name);
    }
}
