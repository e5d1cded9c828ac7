package io.slipway.testkit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
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

    @Test
    void aDocumentBodyIsLimitedBeforeItIsRead() throws Exception {
        // no body follows these heads: an answer proves the service decided from the headers alone
        String head = "POST " + readablePath() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + TestTokens.bearer(Role.operator)
                + "\r\nContent-Type: application/json\r\n";
        String tooLarge = RawHttp.exchange(io.restassured.RestAssured.port, head + "Content-Length: " + (4 * 1024 * 1024 + 1) + "\r\n\r\n", out -> { });
        assertThat(tooLarge).startsWith("HTTP/1.1 413").contains("\"field\":\"body\"").contains("may be at most 4194304");
        String chunked = RawHttp.exchange(io.restassured.RestAssured.port, head + "Transfer-Encoding: chunked\r\n\r\n", out -> { });
        assertThat(chunked).startsWith("HTTP/1.1 411").contains("needs a Content-Length");
        // without a token it is still a 401 first: the limit tells a stranger nothing
        String anonymous = RawHttp.exchange(io.restassured.RestAssured.port, "POST " + readablePath() + " HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + (4 * 1024 * 1024 + 1) + "\r\n\r\n", out -> { });
        assertThat(anonymous).startsWith("HTTP/1.1 401");
    }
}
