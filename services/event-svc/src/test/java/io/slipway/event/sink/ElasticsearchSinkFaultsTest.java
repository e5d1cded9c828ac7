package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.event.TestReceiver.Answer;
import io.slipway.event.TestReceiver.Request;
import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.KafkaTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Elasticsearch sink against {@link FakeBulkServer}, a FAKE bulk API, for what a real node does not do on demand:
 * check credentials (the test node has no security plugin), answer a whole bulk with 5xx or 429, answer without one
 * item per document, stall, refuse one item with 503. Indexing, mappings and ids are tested on a real node in
 * {@link ElasticsearchSinkTest}.
 */
class ElasticsearchSinkFaultsTest {
    private static final Instant MARCH_6 = Instant.parse("2024-03-06T10:00:00Z");

    @Test
    void basicCredentialsOrAnApiKeyGoWithEveryBulkAndARefusalIsDeadLettered() throws Exception {
        String elastic = "Basic ZWxhc3RpYzpjaGFuZ2VtZQ=="; // elastic:changeme
        try (FakeBulkServer basic = new FakeBulkServer(elastic);
             FakeBulkServer keyed = new FakeBulkServer("ApiKey c2xpcHdheS1rZXk=");
             FakeBulkServer guarded = new FakeBulkServer(elastic);
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: basic}, {receiver: keyed}, {receiver: wrong}]}
                     receivers:
                       - name: basic
                         opensearch: {hosts: ['%s'], index: kube, username: elastic, password: changeme}
                       - name: keyed
                         elasticsearch: {hosts: ['%s'], index: kube, apiKey: c2xpcHdheS1rZXk=}
                       - name: wrong
                         elasticsearch: {hosts: ['%s'], index: kube, username: elastic, password: guessed}
                         retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                     """.formatted(basic.url(), keyed.url(), guarded.url()))) {
            KubeEvent a = warning("BackOff").setLastSeen(MARCH_6).build();
            KubeEvent b = warning("FailedMount").setLastSeen(MARCH_6).build();
            h.burst(List.of(a, b));

            await().atMost(Duration.ofSeconds(30)).until(() -> basic.documents() == 2 && keyed.documents() == 2
                    && h.counters("wrong").deadLettered() == 2);
            assertThat(basic.authorizations()).isNotEmpty().containsOnly(elastic);
            assertThat(keyed.authorizations()).isNotEmpty().containsOnly("ApiKey c2xpcHdheS1rZXk=");
            assertThat(guarded.documents()).isZero();
            assertThat(h.counters("wrong").retried()).as("401 is refused for good, not retried").isZero();
            assertThat(KafkaTopics.header(h.deadLetters("wrong").get(0), "dead-letter-reason"))
                    .contains("HTTP 401").contains("security_exception").doesNotContain("guessed");
        }
    }

    @Test
    void aStalledOrFailingBulkIsRetriedUntilDeliveredAndRetryAfterIsHonoured() throws Exception {
        try (FakeBulkServer es = new FakeBulkServer(null)
                .stallNext(1)
                .answerNext(Answer.json(503, "{\"error\":{\"type\":\"cluster_block_exception\"},\"status\":503}"),
                        new Answer(429, "{\"error\":{\"type\":\"es_rejected_execution_exception\"},\"status\":429}",
                                Map.of("Content-Type", "application/json", "Retry-After", "2")),
                        Answer.json(200, "{\"took\":1,\"errors\":false,\"items\":[]}"));
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: search}]}
                     receivers:
                       - name: search
                         elasticsearch: {hosts: ['%s'], index: kube}
                         retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                         timeout: 1s
                     """.formatted(es.url()))) {
            List<KubeEvent> events = sameObject(3);
            h.burst(events);

            await().atMost(Duration.ofSeconds(40)).until(() -> es.documents() == 3);
            List<Request> requests = es.requests();
            assertThat(requests).as("stalled, 503, 429, no items, then indexed").hasSizeGreaterThanOrEqualTo(5);
            Request throttled = requests.get(2);
            Request next = requests.get(3);
            assertThat(next.receivedAt() - throttled.receivedAt()).as("Retry-After: 2 over a 200 ms backoff").isGreaterThanOrEqualTo(1900);
            for (KubeEvent e : events) {
                assertThat(es.versions.get("kube-2024.03.06/" + e.getUid() + "-1")).as("indexed once").isEqualTo(1);
            }
            assertThat(h.counters("search").deadLettered()).isZero();
            assertThat(h.counters("search").retried()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void anItemRefusedWith503IsRetriedAloneAndTheOthersAreNotSentAgain() throws Exception {
        try (FakeBulkServer es = new FakeBulkServer(null).failItemOnce("Unavailable", 503);
             SinkHarness h = new SinkHarness("""
                     route: {match: [{receiver: search}]}
                     receivers:
                       - name: search
                         elasticsearch: {hosts: ['%s'], index: kube}
                         retry: {initialBackoff: 100ms, maxBackoff: 200ms}
                     """.formatted(es.url()))) {
            String object = UUID.randomUUID().toString();
            KubeEvent before = warning("BackOff").setInvolvedUid(object).setLastSeen(MARCH_6).build();
            KubeEvent unavailable = warning("Unavailable").setInvolvedUid(object).setLastSeen(MARCH_6).build();
            KubeEvent after = warning("FailedMount").setInvolvedUid(object).setLastSeen(MARCH_6).build();
            h.burst(List.of(before, unavailable, after));

            await().atMost(Duration.ofSeconds(30)).until(() -> es.documents() == 3);
            assertThat(h.counters("search").retried()).as("only the refused item").isEqualTo(1);
            assertThat(h.counters("search").deadLettered()).isZero();
            Request retry = es.requests().getLast();
            assertThat(retry.body().lines()).as("the retry carries that item alone").hasSize(2);
            assertThat(retry.body()).contains(unavailable.getUid() + "-1");
            assertThat(es.versions.get("kube-2024.03.06/" + before.getUid() + "-1")).isEqualTo(1);
            assertThat(es.versions.get("kube-2024.03.06/" + after.getUid() + "-1")).isEqualTo(1);
        }
    }

    /** Events about one object: one key, one partition, delivered in one batch. */
    private static List<KubeEvent> sameObject(int n) {
        String object = UUID.randomUUID().toString();
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(i -> warning("BackOff").setInvolvedUid(object).setLastSeen(MARCH_6).build()).toList();
    }
}
