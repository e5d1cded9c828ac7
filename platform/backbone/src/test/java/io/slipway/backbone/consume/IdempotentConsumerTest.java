package io.slipway.backbone.consume;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.slipway.backbone.EventHeaders;
import io.slipway.events.build.BuildRequested;
import io.slipway.schemas.EventCodec;
import io.slipway.testkit.Infra;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import io.slipway.testkit.SlipwayInfraResource;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The backbone's consumer on SmallRye Reactive Messaging, against the test kit's real Kafka and PostgreSQL: a service's
 * {@code @Incoming} channel ({@link ConsumerTestListener}) whose effect and {@code processed_event} row commit together,
 * bounded retries, dead letters with their origin, a database outage waited out, readiness and metrics.
 */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "backbone"))
public class IdempotentConsumerTest {
    static final String TOPIC = ConsumerTestListener.TOPIC;
    static final String DLQ = EventHeaders.deadLetterTopic(TOPIC);

    @Inject
    ConsumerTestListener listener;

    static byte[] requested(String buildId, String image) {
        return EventCodec.released().encode(BuildRequested.newBuilder().setBuildId(buildId).setImage(image).setRequestedBy("test")
                .setRequestedAt(Instant.now()).build());
    }

    static Map<String, String> envelope(String eventId) {
        Map<String, String> headers = new HashMap<>();
        headers.put(EventHeaders.EVENT_TYPE, "BuildRequested");
        if (eventId != null) {
            headers.put(EventHeaders.EVENT_ID, eventId);
        }
        return headers;
    }

    static String send(String buildId, String image) {
        String eventId = UUID.randomUUID().toString();
        KafkaTopics.produce(TOPIC, buildId, requested(buildId, image), envelope(eventId));
        return eventId;
    }

    /** Rows of the effect committed for {@code buildId}, read from the database itself. */
    public static int effects(String buildId) {
        return count("select count(*) from test_effect where build_id = ?", buildId);
    }

    public static int count(String sql, String arg) {
        Infra infra = SlipwayInfra.get();
        try (var c = DriverManager.getConnection("jdbc:postgresql://" + infra.dbHost() + ":" + infra.dbPort() + "/backbone",
                infra.dbUser(), infra.dbPassword()); var q = c.prepareStatement(sql)) {
            q.setString(1, arg);
            var rs = q.executeQuery();
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static ConsumerRecord<String, byte[]> deadLetterOf(String eventIdOrKey) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> KafkaTopics.readAll(DLQ).stream()
                .filter(r -> eventIdOrKey.equals(KafkaTopics.header(r, EventHeaders.EVENT_ID)) || eventIdOrKey.equals(r.key()))
                .findFirst().orElse(null), r -> r != null);
    }

    @Test
    void aRedeliveredEventTakesEffectOnceAndItsIdIsRecordedWithTheEffect() {
        String buildId = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        KafkaTopics.produce(TOPIC, buildId, requested(buildId, "img:1"), envelope(eventId));
        await().atMost(Duration.ofSeconds(60)).until(() -> effects(buildId) == 1);
        assertThat(count("select count(*) from processed_event where event_id = ?", eventId)).isEqualTo(1);

        KafkaTopics.produce(TOPIC, buildId, requested(buildId, "img:1"), envelope(eventId));
        // a later event on the same key is applied only after the redelivery was handled
        String later = send(buildId, "img:2");
        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from processed_event where event_id = ?", later) == 1);
        assertThat(effects(buildId)).isEqualTo(2);
        assertThat(listener.attempts(buildId)).as("the redelivered event's effect never ran").isEqualTo(2);
        assertThat(metric("slipway_consumer_duplicates_total", ConsumerTestListener.GROUP)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aFailingEffectIsRetriedAFewTimesRolledBackEachTimeThenDeadLetteredWithItsOriginAndThePartitionMovesOn() {
        String buildId = UUID.randomUUID().toString();
        String poison = send(buildId, "fails");
        String after = send(buildId, "img:after");

        ConsumerRecord<String, byte[]> dead = deadLetterOf(poison);
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_REASON))
                .isEqualTo("failed after 3 attempts: IllegalStateException: the effect of " + buildId + " fails");
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_TOPIC)).isEqualTo(TOPIC);
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_PARTITION)).matches("[0-9]+");
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_OFFSET)).matches("[0-9]+");
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_CONSUMER_GROUP)).isEqualTo(ConsumerTestListener.GROUP);
        assertThat(KafkaTopics.header(dead, EventHeaders.EVENT_ID)).as("the original headers travel").isEqualTo(poison);
        assertThat(dead.key()).isEqualTo(buildId);
        assertThat(EventCodec.released().decode(dead.value(), BuildRequested.class).getImage()).as("the value unchanged").isEqualTo("fails");

        await().atMost(Duration.ofSeconds(60)).until(() -> count("select count(*) from processed_event where event_id = ?", after) == 1);
        assertThat(listener.attempts(buildId)).as("3 attempts at the poison, 1 at the next").isEqualTo(4);
        assertThat(effects(buildId)).as("each failed attempt's row was rolled back with it").isEqualTo(1);
        assertThat(count("select count(*) from processed_event where event_id = ?", poison)).isZero();
    }

    @Test
    void anEventNoRetryCanFixAndARecordThatIsNoEventAreDeadLetteredAtOnce() {
        String buildId = UUID.randomUUID().toString();
        String invalid = send(buildId, "invalid");
        assertThat(KafkaTopics.header(deadLetterOf(invalid), EventHeaders.DLQ_REASON))
                .isEqualTo("PermanentEventFailure: image: 'invalid' can never be built");
        assertThat(listener.attempts(buildId)).isEqualTo(1);

        String noId = UUID.randomUUID().toString();
        KafkaTopics.produce(TOPIC, noId, requested(noId, "img:1"), envelope(null));
        assertThat(KafkaTopics.header(deadLetterOf(noId), EventHeaders.DLQ_REASON)).isEqualTo("missing eventId header");

        String notAvro = UUID.randomUUID().toString();
        KafkaTopics.produce(TOPIC, notAvro, "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8), envelope(UUID.randomUUID().toString()));
        ConsumerRecord<String, byte[]> dead = deadLetterOf(notAvro);
        assertThat(KafkaTopics.header(dead, EventHeaders.DLQ_REASON)).startsWith("undecodable: ");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"not\":\"avro\"}");
        assertThat(listener.attempts(notAvro)).isZero();
    }

    @Test
    void aDatabaseOutageIsWaitedOutWithReadinessDownNotDeadLettered() {
        String buildId = UUID.randomUUID().toString();
        listener.databaseBack(false);
        String eventId = send(buildId, "db-down");
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonPath ready = given().get("/q/health/ready").then().extract().jsonPath();
                Map<String, Object> backbone = ready.getMap("checks.find { it.name == 'slipway-backbone' }");
                return "DOWN".equals(backbone.get("status")) && String.valueOf(((Map<?, ?>) backbone.get("data"))
                        .get("consumer " + ConsumerTestListener.GROUP)).contains("ConnectException: Connection refused");
            });
            assertThat(listener.attempts(buildId)).as("more than slipway.consumer.max-attempts").isGreaterThan(3);
        } finally {
            listener.databaseBack(true);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> effects(buildId) == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(given().get("/q/health/ready").then().extract().jsonPath()
                .getString("checks.find { it.name == 'slipway-backbone' }.status")));
        assertThat(KafkaTopics.readAll(DLQ).stream().noneMatch(r -> eventId.equals(KafkaTopics.header(r, EventHeaders.EVENT_ID)))).isTrue();
    }

    @Test
    void theConnectorsOwnMetricsAndTheBackbonesAreInMicrometer() {
        String buildId = UUID.randomUUID().toString();
        send(buildId, "img:metrics");
        await().atMost(Duration.ofSeconds(60)).until(() -> effects(buildId) == 1);
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("slipway_consumer_applied_total{group=\"" + ConsumerTestListener.GROUP + "\",type=\"BuildRequested\"}");
        assertThat(metrics).as("the Kafka consumer's own metrics").containsPattern("kafka_consumer_fetch_manager_records_consumed_total\\{[^}]*\\}");
    }

    static double metric(String name, String group) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains("group=\"" + group + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
