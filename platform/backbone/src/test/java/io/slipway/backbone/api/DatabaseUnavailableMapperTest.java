package io.slipway.backbone.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.SlipwayInfraResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A request whose database connection PostgreSQL ends under it (what every request in flight meets when PostgreSQL
 * crashes) is a 503 with Retry-After, whichever step it was at: a client sends it again. A 500 here was an operation lost
 * in the chaos suite's PostgreSQL phase.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "backbone"))
class DatabaseUnavailableMapperTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TestHTTPResource("/test/database-faults/")
    URI faults;

    @Test
    void aConnectionEndedDuringAStatementIsA503() throws Exception {
        assertUnavailable(post("during-statement"));
    }

    @Test
    void aConnectionEndedBeforeTheCommitIsA503() throws Exception {
        assertUnavailable(post("before-commit"));
    }

    @Test
    void theRequestsAfterThemGetLiveConnections() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertUnavailable(post("before-commit"));
            assertUnavailable(post("during-statement"));
        }
        // the pool dropped the ended connections instead of handing them out again
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> answer = post("none");
            assertThat(answer.statusCode()).as("answer: %s", answer.body()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("1");
        }
    }

    private HttpResponse<String> post(String fault) throws Exception {
        return http.send(HttpRequest.newBuilder(faults.resolve(fault)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnavailable(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).as("answer: %s", answer.body()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).hasValue("2");
        assertThat(answer.body()).contains("database is unavailable");
    }
}
