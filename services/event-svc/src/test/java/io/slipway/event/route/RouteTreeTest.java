package io.slipway.event.route;

import static io.slipway.event.TestEvents.normal;
import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.events.kube.KubeEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each routing rule decides what it should, and only that (kubernetes-event-exporter's route semantics). */
class RouteTreeTest {
    private static final String RECEIVERS = """
            receivers:
              - {name: a, stdout: {}}
              - {name: b, stdout: {}}
              - {name: c, stdout: {}}
            """;

    private static RouteConfig routes(String route) {
        return new RouteConfigParser(v -> null, java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))).parse(RECEIVERS + route);
    }

    @Test
    void matchOnTypeAndReasonSendsOnlyMatchingEvents() {
        RouteConfig config = routes("""
                route:
                  routes:
                    - match: [{type: Warning, reason: BackOff, receiver: a}]
                """);
        assertThat(config.receiversFor(warning("BackOff").build())).containsExactly("a");
        assertThat(config.receiversFor(normal("BackOff").build())).isEmpty();
        assertThat(config.receiversFor(warning("Failed").build())).isEmpty();
    }

    @Test
    void levelIsAnotherNameForType() {
        RouteConfig config = routes("route: {match: [{level: Warning, receiver: a}]}\n");
        assertThat(config.receiversFor(warning("X").build())).containsExactly("a");
        assertThat(config.receiversFor(normal("X").build())).isEmpty();
    }

    @Test
    void dropStopsTheEventBeforeAnyMatch() {
        RouteConfig config = routes("""
                route:
                  routes:
                    - drop: [{namespace: "^kube-"}]
                      match: [{receiver: a}]
                    - match: [{receiver: b}]
                """);
        assertThat(config.receiversFor(warning("X").setNamespace("kube-system").build())).containsExactly("b");
        assertThat(config.receiversFor(warning("X").setNamespace("shop").build())).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void messageIsMatchedAsARegularExpression() {
        RouteConfig config = routes("route: {match: [{message: 'OOM[Kk]illed|exit code 13[0-9]', receiver: a}]}\n");
        assertThat(config.receiversFor(warning("X").setMessage("container was OOMKilled").build())).containsExactly("a");
        assertThat(config.receiversFor(warning("X").setMessage("terminated with exit code 137").build())).containsExactly("a");
        assertThat(config.receiversFor(warning("X").setMessage("exit code 1").build())).isEmpty();
    }

    @Test
    void kindNamespaceAndNameAreRegularExpressionsToo() {
        RouteConfig config = routes("route: {match: [{kind: '^(Pod|Deployment)$', namespace: '^shop$', name: '^web-', receiver: a}]}\n");
        assertThat(config.receiversFor(warning("X").setNamespace("shop").setInvolvedName("web-7").build())).containsExactly("a");
        assertThat(config.receiversFor(warning("X").setNamespace("shop").setInvolvedName("db-0").build())).isEmpty();
        assertThat(config.receiversFor(warning("X").setNamespace("shop").setInvolvedKind("PodDisruptionBudget").setInvolvedName("web-7").build()))
                .isEmpty();
        assertThat(config.receiversFor(warning("X").setNamespace("shopping").setInvolvedName("web-7").build())).isEmpty();
    }

    @Test
    void labelsMustBePresentAndMatch() {
        RouteConfig config = routes("route: {match: [{labels: {team: '^payments$', tier: 'front|edge'}, receiver: a}]}\n");
        assertThat(config.receiversFor(labelled(Map.of("team", "payments", "tier", "frontend")))).containsExactly("a");
        assertThat(config.receiversFor(labelled(Map.of("team", "payments")))).as("tier missing").isEmpty();
        assertThat(config.receiversFor(labelled(Map.of("team", "payments-2", "tier", "edge")))).as("team anchored").isEmpty();
        assertThat(config.receiversFor(labelled(Map.of()))).isEmpty();
    }

    @Test
    void annotationsMustBePresentAndMatch() {
        RouteConfig config = routes("route: {match: [{annotations: {'oncall.example.com/page': 'true'}, receiver: a}]}\n");
        KubeEvent paged = warning("X").setInvolvedAnnotations(Map.of("oncall.example.com/page", "true")).build();
        KubeEvent other = warning("X").setInvolvedAnnotations(Map.of("oncall.example.com/page", "false")).build();
        assertThat(config.receiversFor(paged)).containsExactly("a");
        assertThat(config.receiversFor(other)).isEmpty();
        assertThat(config.receiversFor(warning("X").build())).isEmpty();
    }

    @Test
    void minCountWaitsForRepeats() {
        RouteConfig config = routes("route: {match: [{reason: BackOff, minCount: 5, receiver: a}]}\n");
        assertThat(config.receiversFor(warning("BackOff").setCount(4).build())).isEmpty();
        assertThat(config.receiversFor(warning("BackOff").setCount(5).build())).containsExactly("a");
        assertThat(config.receiversFor(warning("BackOff").setCount(40).build())).containsExactly("a");
    }

    @Test
    void subRoutesAreEnteredOnlyWhenEveryMatchRuleMatched() {
        RouteConfig config = routes("""
                route:
                  match:
                    - {type: Warning, receiver: a}
                    - {namespace: '^prod$'}
                  routes:
                    - match: [{kind: Pod, receiver: b}]
                      routes:
                        - drop: [{reason: Pulling}]
                          match: [{receiver: c}]
                """);
        assertThat(config.receiversFor(warning("BackOff").setNamespace("prod").build())).containsExactly("a", "b", "c");
        assertThat(config.receiversFor(warning("Pulling").setNamespace("prod").build())).as("dropped in the deepest route only")
                .containsExactly("a", "b");
        assertThat(config.receiversFor(warning("BackOff").setNamespace("dev").build())).as("second match rule failed").containsExactly("a");
        assertThat(config.receiversFor(normal("BackOff").setNamespace("prod").build())).isEmpty();
    }

    @Test
    void oneEventCanGoToSeveralReceivers() {
        RouteConfig config = routes("""
                route:
                  routes:
                    - match: [{receiver: a}, {type: Warning, receiver: b}]
                    - match: [{reason: BackOff, receiver: c}]
                """);
        assertThat(config.receiversFor(warning("BackOff").build())).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(config.receiversFor(normal("Scheduled").build())).containsExactly("a");
    }

    private static KubeEvent labelled(Map<String, String> labels) {
        return warning("X").setInvolvedLabels(labels).build();
    }
}
