package io.slipway.testkit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated cluster keeps the API server's list/watch contract, observed through fabric8's own client. */
class SimulatedClusterTest {
    private SimulatedCluster cluster;
    private InvolvedObject pod;

    @BeforeEach
    void start() {
        cluster = SimulatedCluster.start();
        pod = cluster.createPod("team-a", "web-0", Map.of("app", "web"), Map.of("owner", "alice"));
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aWatchFromAResourceVersionGetsExactlyTheChangesAfterIt() {
        cluster.events().record(pod, "Normal", "Pulled", "image pulled");
        GeneratedEvent second = cluster.events().record(pod, "Normal", "Created", "container created");
        GeneratedEvent third = cluster.events().record(pod, "Normal", "Started", "container started");
        GeneratedEvent repeat = cluster.events().record(pod, "Normal", "Started", "container started");

        Recorder recorder = new Recorder();
        try (Watch ignored = cluster.client().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(second.resourceVersion())).build(), recorder)) {
            GeneratedEvent fourth = cluster.events().record(pod, "Warning", "BackOff", "back-off restarting");
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 3);
            assertThat(recorder.events).extracting(e -> e.getReason() + "/" + e.getCount())
                    .containsExactly("Started/1", "Started/2", "BackOff/1");
            assertThat(recorder.events).extracting(e -> e.getMetadata().getResourceVersion())
                    .containsExactly(Long.toString(third.resourceVersion()), Long.toString(repeat.resourceVersion()),
                            Long.toString(fourth.resourceVersion()));
            assertThat(recorder.events.get(1).getMetadata().getUid()).isEqualTo(third.uid());
            assertThat(recorder.events.get(2).getInvolvedObject().getUid()).isEqualTo(pod.uid());
        }
    }

    @Test
    void aWatchFromACompactedResourceVersionIsGone() throws Exception {
        GeneratedEvent old = cluster.events().record(pod, "Normal", "Pulled", "image pulled");
        cluster.events().record(pod, "Normal", "Created", "container created");
        cluster.compact();

        Recorder recorder = new Recorder();
        cluster.client().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(old.resourceVersion())).build(), recorder);
        WatcherException closed = recorder.closed.get(10, TimeUnit.SECONDS);
        assertThat(closed.isHttpGone()).as("410 Gone: %s", closed.getMessage()).isTrue();
        assertThat(recorder.events).isEmpty();

        Recorder fromNow = new Recorder();
        try (Watch ignored = cluster.client().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(cluster.resourceVersion())).build(), fromNow)) {
            cluster.events().record(pod, "Normal", "Started", "container started");
            await().atMost(Duration.ofSeconds(10)).until(() -> fromNow.events.size() == 1);
        }
    }

    @Test
    void historyBeyondItsLimitIsCompactedAsNewChangesArrive() throws Exception {
        cluster.historyLimit(10);
        GeneratedEvent first = cluster.events().record(pod, "Normal", "Reason0", "message");
        for (int i = 1; i < 10; i++) {
            cluster.events().record(pod, "Normal", "Reason" + i, "message");
        }
        Recorder recorder = new Recorder();
        cluster.client().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(first.resourceVersion())).build(), recorder);
        assertThat(recorder.closed.get(10, TimeUnit.SECONDS).isHttpGone()).isTrue();
    }

    @Test
    void everyEventIsReadableThroughBothApisWithTheSameIdentity() {
        GeneratedEvent core = cluster.events().record(pod, "Warning", "BackOff", "back-off restarting");
        GeneratedEvent series = cluster.events().emit(pod, "Warning", "FailedScheduling", "Scheduling", "0/3 nodes available");
        GeneratedEvent again = cluster.events().emit(pod, "Warning", "FailedScheduling", "Scheduling", "0/3 nodes available");

        var asEvents = cluster.client().events().v1().events().inNamespace("team-a").withName(core.name()).get();
        assertThat(asEvents.getMetadata().getUid()).isEqualTo(core.uid());
        assertThat(asEvents.getDeprecatedCount()).isEqualTo(1);
        assertThat(asEvents.getNote()).isEqualTo("back-off restarting");
        assertThat(asEvents.getRegarding().getUid()).isEqualTo(pod.uid());

        Event asCore = cluster.client().v1().events().inNamespace("team-a").withName(series.name()).get();
        assertThat(asCore.getMetadata().getUid()).isEqualTo(again.uid());
        assertThat(asCore.getMetadata().getResourceVersion()).isEqualTo(Long.toString(again.resourceVersion()));
        assertThat(asCore.getSeries().getCount()).isEqualTo(2);
        assertThat(asCore.getReportingComponent()).isEqualTo("default-scheduler");
        assertThat(asCore.getMessage()).isEqualTo("0/3 nodes available");

        assertThat(cluster.client().v1().events().inAnyNamespace().list().getItems()).hasSize(2);
        assertThat(cluster.client().events().v1().events().inAnyNamespace().list().getItems()).hasSize(2);
    }

    @Test
    void anEventPostedThroughTheApiIsStoredAndWatchedLikeAGeneratedOne() {
        Recorder recorder = new Recorder();
        try (Watch ignored = cluster.client().events().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(cluster.resourceVersion())).build(),
                        new Watcher<io.fabric8.kubernetes.api.model.events.v1.Event>() {
                            @Override
                            public void eventReceived(Action action, io.fabric8.kubernetes.api.model.events.v1.Event e) {
                                recorder.events.add(new EventBuilder().withMetadata(e.getMetadata()).withReason(e.getReason())
                                        .withCount(e.getDeprecatedCount()).build());
                            }

                            @Override
                            public void onClose(WatcherException cause) {
                                recorder.closed.complete(cause);
                            }
                        })) {
            Event posted = cluster.client().v1().events().inNamespace("team-a").resource(new EventBuilder()
                    .withNewMetadata().withName("web-0.posted").endMetadata()
                    .withNewInvolvedObject().withKind("Pod").withName("web-0").withNamespace("team-a").withUid(pod.uid()).endInvolvedObject()
                    .withReason("Killing").withMessage("stopping container").withType("Normal").withCount(1)
                    .build()).create();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 1);
            assertThat(recorder.events.get(0).getMetadata().getUid()).isEqualTo(posted.getMetadata().getUid());
            assertThat(recorder.events.get(0).getCount()).isEqualTo(1);
        }
        assertThatThrownBy(() -> cluster.client().events().v1().events().inNamespace("team-a").resource(
                new io.fabric8.kubernetes.api.model.events.v1.EventBuilder().withNewMetadata().withName("web-0.posted").endMetadata()
                        .withReason("Killing").build()).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(409));
    }

    @Test
    void listsComeInPagesConsistentAtOneResourceVersion() {
        for (int i = 0; i < 25; i++) {
            cluster.events().record(pod, "Normal", "Reason" + i, "message");
        }
        long listedAt = cluster.resourceVersion();
        var first = cluster.client().v1().events().inNamespace("team-a").list(new ListOptionsBuilder().withLimit(10L).build());
        cluster.events().record(pod, "Normal", "Later", "written between pages");
        Set<String> uids = new HashSet<>();
        first.getItems().forEach(e -> uids.add(e.getMetadata().getUid()));
        String next = first.getMetadata().getContinue();
        while (next != null && !next.isEmpty()) {
            var page = cluster.client().v1().events().inNamespace("team-a").list(new ListOptionsBuilder().withLimit(10L).withContinue(next).build());
            assertThat(page.getMetadata().getResourceVersion()).isEqualTo(Long.toString(listedAt));
            page.getItems().forEach(e -> uids.add(e.getMetadata().getUid()));
            next = page.getMetadata().getContinue();
        }
        assertThat(first.getMetadata().getResourceVersion()).isEqualTo(Long.toString(listedAt));
        assertThat(uids).hasSize(25);

        var again = cluster.client().v1().events().inNamespace("team-a").list(new ListOptionsBuilder().withLimit(10L).build());
        cluster.events().record(pod, "Normal", "After", "written after the list");
        cluster.compact();
        assertThatThrownBy(() -> cluster.client().v1().events().inNamespace("team-a")
                .list(new ListOptionsBuilder().withLimit(10L).withContinue(again.getMetadata().getContinue()).build()))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(410));
    }

    @Test
    void aWatchThatAskedForBookmarksGetsTheCurrentResourceVersion() {
        cluster.bookmarkInterval(Duration.ofMillis(100));
        InvolvedObject other = cluster.createPod("team-b", "db-0", Map.of(), Map.of());
        List<String> bookmarks = new CopyOnWriteArrayList<>();
        Recorder recorder = new Recorder() {
            @Override
            public void eventReceived(Action action, Event event) {
                if (action == Action.BOOKMARK) {
                    bookmarks.add(event.getMetadata().getResourceVersion());
                } else {
                    super.eventReceived(action, event);
                }
            }
        };
        try (Watch ignored = cluster.client().v1().events().inNamespace("team-a").watch(new ListOptionsBuilder()
                .withResourceVersion(Long.toString(cluster.resourceVersion())).withAllowWatchBookmarks(true).build(), recorder)) {
            GeneratedEvent elsewhere = cluster.events().record(other, "Normal", "Pulled", "image pulled");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> bookmarks.contains(Long.toString(elsewhere.resourceVersion())));
            assertThat(recorder.events).as("an event of another namespace").isEmpty();
        }
    }

    @Test
    void endedWatchesAreReopenedByTheClientWithoutLosingChanges() {
        Recorder recorder = new Recorder();
        try (Watch ignored = cluster.client().v1().events().inAnyNamespace()
                .watch(new ListOptionsBuilder().withResourceVersion(Long.toString(cluster.resourceVersion())).build(), recorder)) {
            List<String> written = new ArrayList<>();
            written.add(cluster.events().record(pod, "Normal", "A", "m").occurrence());
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 1);
            cluster.endWatches();
            written.add(cluster.events().record(pod, "Normal", "B", "m").occurrence());
            written.add(cluster.events().record(pod, "Normal", "B", "m").occurrence());
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.events.size() == 3);
            assertThat(recorder.events).extracting(e -> e.getMetadata().getUid() + "/" + e.getCount()).containsExactlyElementsOf(written);
        }
    }

    private static class Recorder implements Watcher<Event> {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<WatcherException> closed = new CompletableFuture<>();

        @Override
        public void eventReceived(Action action, Event event) {
            if (action != Action.BOOKMARK) {
                events.add(event);
            }
        }

        @Override
        public void onClose(WatcherException cause) {
            closed.complete(cause);
        }
    }
}
