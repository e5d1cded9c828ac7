package io.slipway.build.build;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.slipway.backbone.EventHeaders;
import io.slipway.backbone.relay.OutboxRelay;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.TestTokens;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "build"))
class BuildRequestsTest {
    static final String TOPIC = "slipway.build.events";

    @Inject
    OutboxRelay relay;

    static String requestBuild(String image, String traceparent) {
        var request = given().header("Authorization", TestTokens.bearer(Role.operator));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return request.contentType(ContentType.JSON).body("{\"image\":\"" + image + "\",\"context\":\"git+https://127.0.0.1:9/repo.git#main\",\"buildArgs\":{\"VERSION\":\"3.5\"}}")
                .post("/api/v1/builds")
                .then().statusCode(202).header("Location", containsString("/api/v1/builds/")).body("state", equalTo("Requested"))
                .extract().path("id");
    }

    /** The build's BuildRequested events (the worker goes on to publish its Started/Failed events too). */
    static List<ConsumerRecord<String, byte[]>> eventsOf(String buildId) {
        return KafkaTopics.readAll(TOPIC).stream().filter(r -> buildId.equals(r.key()))
                .filter(r -> "BuildRequested".equals(KafkaTopics.header(r, EventHeaders.EVENT_TYPE))).toList();
    }

    @Test
    void aBuildRequestIsStoredAndItsEventPublishedWithTheEnvelope() {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String id = requestBuild("registry.local:5000/etcd:v3.5", trace);

        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/" + id)
                .then().statusCode(200).body("image", equalTo("registry.local:5000/etcd:v3.5")).body("requestedBy", equalTo("test-operator"));

        List<ConsumerRecord<String, byte[]>> events = await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf(id), l -> !l.isEmpty());
        ConsumerRecord<String, byte[]> record = events.get(0);
        assertThat(KafkaTopics.header(record, EventHeaders.EVENT_TYPE)).isEqualTo("BuildRequested");
        assertThat(KafkaTopics.header(record, EventHeaders.EVENT_ID)).matches("[0-9a-f-]{36}");
        assertThat(KafkaTopics.header(record, EventHeaders.CORRELATION_ID)).isNotBlank();
        assertThat(KafkaTopics.header(record, EventHeaders.TRACEPARENT)).isEqualTo(trace);
        assertThat(record.headers().toArray()).extracting(h -> h.key()).as("only the envelope and the relay's position travel, no connector internals")
                .containsExactlyInAnyOrder(EventHeaders.EVENT_ID, EventHeaders.EVENT_TYPE, EventHeaders.CORRELATION_ID, EventHeaders.TRACEPARENT,
                        EventHeaders.OUTBOX_POSITION);
        BuildRequested event = EventCodec.released().decode(record.value(), BuildRequested.class);
        assertThat(event.getBuildId()).isEqualTo(id);
        assertThat(event.getImage()).isEqualTo("registry.local:5000/etcd:v3.5");
        assertThat(event.getBuildArgs()).containsEntry("VERSION", "3.5");
    }

    @Test
    void anEventCommittedWhileTheRelayIsDownIsPublishedOnceWhenItReturns() {
        relay.stop();
        String id;
        try {
            id = requestBuild("etcd:relay-down", null);
            // Committed, not published: nothing appears while the relay is down.
            String pending = id;
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> eventsOf(pending).isEmpty());
        } finally {
            relay.start();
        }
        String published = id;
        await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf(published).size() == 1);
        // and it stays at one: the restarted relay does not publish it a second time
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> eventsOf(published).size() == 1);
    }

    @Test
    void aRequestSentAgainWithItsIdempotencyKeyIsTheSameBuild() {
        String body = "{\"image\":\"etcd:idem\",\"context\":\"git+https://127.0.0.1:9/repo.git#main\"}";
        String key = "ci-run-" + System.nanoTime();
        String first = given().header("Authorization", TestTokens.bearer(Role.operator)).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body(body).post("/api/v1/builds").then().statusCode(202).extract().path("id");
        String again = given().header("Authorization", TestTokens.bearer(Role.operator)).header("Idempotency-Key", key)
                .contentType(ContentType.JSON).body(body).post("/api/v1/builds").then().statusCode(202)
                .header("Location", endsWith("/api/v1/builds/" + first)).extract().path("id");
        assertThat(again).isEqualTo(first);
        String other = given().header("Authorization", TestTokens.bearer(Role.operator)).header("Idempotency-Key", key + "-2")
                .contentType(ContentType.JSON).body(body).post("/api/v1/builds").then().statusCode(202).extract().path("id");
        assertThat(other).as("another key is another build").isNotEqualTo(first);

        // the key is not a way to change a build: another image under it is refused, naming the header
        given().header("Authorization", TestTokens.bearer(Role.operator)).header("Idempotency-Key", key).contentType(ContentType.JSON)
                .body(body.replace("etcd:idem", "etcd:other")).post("/api/v1/builds").then().statusCode(400)
                .body("field", equalTo("Idempotency-Key")).body("error", containsString(first));
        given().header("Authorization", TestTokens.bearer(Role.operator)).header("Idempotency-Key", "has space").contentType(ContentType.JSON)
                .body(body).post("/api/v1/builds").then().statusCode(400).body("field", equalTo("Idempotency-Key"));

        await().atMost(Duration.ofSeconds(60)).until(() -> eventsOf(first).size() == 1 && eventsOf(other).size() == 1);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> eventsOf(first).size() == 1);
    }

    @Test
    void mutationsNeedAnOperatorAndBadInputIsA400() {
        String body = "{\"image\":\"etcd:v1\",\"context\":\"git+https://127.0.0.1:9/repo.git#main\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/builds").then().statusCode(401);
        // without a token the answer is 401 whatever else is wrong: not 415 for the content type, 404 or 405 for the path
        given().contentType("text/plain").body("x").post("/api/v1/builds").then().statusCode(401);
        given().contentType(ContentType.JSON).body(body).delete("/api/v1/builds").then().statusCode(401);
        given().get("/api/v1/no-such-thing").then().statusCode(401);
        given().header("Authorization", TestTokens.bearer(Role.viewer)).contentType(ContentType.JSON).body(body)
                .post("/api/v1/builds").then().statusCode(403);
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).body("{\"image\":\"Not A Ref\"}")
                .post("/api/v1/builds").then().statusCode(400).body("field", equalTo("image")).body("error", containsString("Not A Ref"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"image\":\"etcd:v1\",\"context\":\"git+https://127.0.0.1:9/x.git#main\",\"kubefile\":\"../../etc/passwd\"}")
                .post("/api/v1/builds").then().statusCode(400).body("field", equalTo("kubefile"));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON).body("{\"image\":")
                .post("/api/v1/builds").then().statusCode(400).body("error", containsString("malformed JSON body")).body("line", equalTo(1));
        given().header("Authorization", TestTokens.bearer(Role.operator)).contentType(ContentType.JSON)
                .body("{\"image\":\"etcd:v1\",\n \"platforms\":\"linux/amd64\"}")
                .post("/api/v1/builds").then().statusCode(400).body("field", equalTo("platforms")).body("line", equalTo(2));
        given().header("Authorization", TestTokens.bearer(Role.viewer)).get("/api/v1/builds/nope").then().statusCode(404)
                .body("error", endsWith("not found"));
    }
}
