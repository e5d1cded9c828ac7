package io.slipway.testkit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.slipway.security.Role;
import org.junit.jupiter.api.Test;

/**
 * What every Slipway service answers whatever its domain: health, OpenAPI, Prometheus metrics with the backbone's
 * meters, and a closed door without a valid token. Extend it in a {@code @QuarkusTest} of each service.
 */
public abstract class ServiceEndpointsContract {

    /** A path of the service's API that a viewer may read. */
    protected abstract String readablePath();

    @Test
    void healthIsUp() {
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'slipway-backbone' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'slipway-backbone' }.data.relay", anyOf(equalTo("active"), equalTo("standby")));
    }

    @Test
    void openApiDescribesTheService() {
        given().get("/q/openapi?format=json").then().statusCode(200).body(containsString("\"openapi\""));
    }

    @Test
    void prometheusMetricsIncludeTheBackbone() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("slipway_outbox_relay_published"));
    }

    @Test
    void apiNeedsAValidToken() {
        given().get(readablePath()).then().statusCode(401);
        given().header("Authorization", TestTokens.forgedBearer(Role.admin)).get(readablePath()).then().statusCode(401);
        given().header("Authorization", TestTokens.foreignAudienceBearer(Role.admin)).get(readablePath()).then().statusCode(401);
        given().header("Authorization", TestTokens.staleBearer(Role.admin)).get(readablePath()).then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get(readablePath()).then().statusCode(200);
    }
}
