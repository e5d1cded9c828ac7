package io.slipway.event.route;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing document: what a correct one yields, and where a wrong one is wrong. */
class RouteConfigParserTest {
    private final RouteConfigParser parser = new RouteConfigParser(Map.of("DING_TOKEN", "t0k3n", "DING_SECRET", "SECabc")::get, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));

    @Test
    void routesReadOnlyTheAllowedVariables() {
        var env = RouteConfigParser.allowed(Map.of("SLIPWAY_SINK_TOKEN", "t0k3n", "HOOK_KEY", "k3y", "DB_PASSWORD", "pw-9f3")::get,
                List.of("SLIPWAY_SINK_*", "HOOK_KEY"));
        RouteConfigParser restricted = new RouteConfigParser(env, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        String receivers = """
                receivers:
                  - name: hook
                    dingtalk: {url: 'https://oapi.dingtalk.com/robot/send?access_token=%s', secret: '${HOOK_KEY}'}
                """;
        Target.DingTalk ding = (Target.DingTalk) restricted.parse(receivers.formatted("${SLIPWAY_SINK_TOKEN}")).receiver("hook").orElseThrow().target();
        assertThat(ding.url()).endsWith("access_token=t0k3n");
        assertThat(ding.secret()).isEqualTo("k3y");
        ding = (Target.DingTalk) restricted.parse(receivers.formatted("${SLIPWAY_SINK_UNSET:fallback}")).receiver("hook").orElseThrow().target();
        assertThat(ding.url()).endsWith("access_token=fallback");
        // set or not, with a default or not: a variable outside the list is refused at its line, and its value never shows
        for (String ref : List.of("${DB_PASSWORD}", "${DB_PASSWORD:x}", "${UNSET_OTHER}")) {
            assertThatThrownBy(() -> restricted.parse(receivers.formatted(ref))).isInstanceOf(ConfigError.class)
                    .hasMessageContaining("line 3").hasMessageContaining("may not be read by routes (allowed: SLIPWAY_SINK_*, HOOK_KEY")
                    .hasMessageNotContaining("pw-9f3").satisfies(e -> assertThat(((ConfigError) e).path()).isEqualTo("receivers[0].dingtalk.url"));
        }
    }

    @Test
    void fileSinksWriteOnlyInsideTheirDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) {
        RouteConfigParser confined = new RouteConfigParser(v -> null, root);
        Target.File ok = (Target.File) confined.parse("receivers: [{name: f, file: {path: events/k8s.jsonl}}]").receiver("f").orElseThrow().target();
        assertThat(ok.path()).isEqualTo(root.resolve("events/k8s.jsonl"));
        Target.File absolute = (Target.File) confined.parse("receivers: [{name: f, file: {path: '" + root.resolve("a.jsonl") + "'}}]")
                .receiver("f").orElseThrow().target();
        assertThat(absolute.path()).isEqualTo(root.resolve("a.jsonl"));
        for (String escape : List.of("/etc/cron.d/evil", "../outside.jsonl", "events/../../outside.jsonl", ".")) {
            assertThatThrownBy(() -> confined.parse("receivers:\n  - {name: f, file: {path: '" + escape + "'}}\n"))
                    .isInstanceOf(ConfigError.class).hasMessageContaining("line 2")
                    .hasMessageContaining("is outside the directory file sinks may write in (" + root.toAbsolutePath() + ", slipway.routes.file-directory)");
        }
    }

    @Test
    void receiversGetTheirKindsSettingsAndDocumentedRateLimits() {
        RouteConfig config = parser.parse("""
                route: {match: [{receiver: oncall}, {receiver: audit}]}
                receivers:
                  - name: oncall
                    dingtalk:
                      url: https://oapi.dingtalk.com/robot/send?access_token=${DING_TOKEN}
                      secret: ${DING_SECRET}
                      msgType: markdown
                      atMobiles: ["13800000000"]
                  - name: audit
                    elasticsearch: {hosts: [http://es:9200/], index: kube}
                    retry: {maxAttempts: 3, initialBackoff: 100ms}
                    rateLimit: [{messages: 5, per: 1s}]
                """);
        Receiver oncall = config.receiver("oncall").orElseThrow();
        Target.DingTalk ding = (Target.DingTalk) oncall.target();
        assertThat(ding.url()).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=t0k3n");
        assertThat(ding.secret()).isEqualTo("SECabc");
        assertThat(ding.markdown()).isTrue();
        assertThat(ding.atMobiles()).containsExactly("13800000000");
        assertThat(oncall.policy().rateLimits()).containsExactly(new Receiver.RateLimit(20, Duration.ofMinutes(1)));
        Receiver audit = config.receiver("audit").orElseThrow();
        assertThat(((Target.Elasticsearch) audit.target()).hosts()).containsExactly("http://es:9200");
        assertThat(audit.policy().retry().maxAttempts()).isEqualTo(3);
        assertThat(audit.policy().retry().initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(audit.policy().retry().maxElapsed()).isEqualTo(Duration.ofMinutes(10));
        assertThat(audit.policy().rateLimits()).containsExactly(new Receiver.RateLimit(5, Duration.ofSeconds(1)));
        assertThat(audit.policy().batchSize()).isEqualTo(500);
        assertThat(config.receiversFor(warning("X").build())).containsExactly("oncall", "audit");
    }

    @Test
    void layoutsRenderJsonFromTheEvent() {
        RouteConfig config = parser.parse("""
                receivers:
                  - name: hook
                    webhook:
                      url: http://127.0.0.1:1/x
                      headers: {X-Team: '{{ index .InvolvedObject.Labels "team" }}'}
                      layout:
                        summary: '{{ .Reason }} on {{ .InvolvedObject.Kind }}/{{ .InvolvedObject.Name }}'
                        details: {message: '{{ .Message }}', count: '{{ .Count }}'}
                        tags: ['{{ .Type }}', fixed]
                """);
        Target.Webhook hook = (Target.Webhook) config.receiver("hook").orElseThrow().target();
        var event = warning("BackOff").setMessage("say \"hi\"\nbye").setCount(3).setInvolvedLabels(Map.of("team", "pay")).build();
        assertThat(hook.layout().render(EventView.of(event))).isEqualTo(Map.of(
                "summary", "BackOff on Pod/web-1",
                "details", Map.of("message", "say \"hi\"\nbye", "count", "3"),
                "tags", List.of("Warning", "fixed")));
        assertThat(hook.headers().get("X-Team").render(EventView.of(event))).isEqualTo("pay");
    }

    @Test
    void invalidYamlNamesTheLine() {
        assertThatThrownBy(() -> parser.parse("""
                route:
                  match:
                    - receiver: a
                   bad: indentation
                """)).isInstanceOf(ConfigError.class).satisfies(e -> assertThat(((ConfigError) e).line()).isEqualTo(4))
                .hasMessageStartingWith("line 4").hasMessageContaining("not valid YAML");
    }

    @Test
    void anEmptyUrlIsRequiredNotAnInternalError() {
        assertThatThrownBy(() -> parser.parse("receivers:\n  - name: a\n    webhook:\n      url:\n"))
                .isInstanceOf(ConfigError.class).hasMessageStartingWith("line 4").hasMessageContaining("url is required");
    }

    @Test
    void aFieldWrittenTwiceIsAnErrorNotTheLastOneSilently() {
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - name: a
                    webhook:
                      url: http://127.0.0.1:9/a
                      url: http://127.0.0.1:9/b
                """)).isInstanceOfSatisfying(ConfigError.class, e -> {
                    assertThat(e.line()).isEqualTo(5);
                    assertThat(e.path()).isEqualTo("receivers[0].webhook.url");
                })
                .hasMessageContaining("'url' appears twice (also at line 4)");
    }

    @Test
    void unknownFieldNamesLineFieldAndTheKnownOnes() {
        assertThatThrownBy(() -> parser.parse("""
                receivers: [{name: a, stdout: {}}]
                route:
                  routes:
                    - match:
                        - namspace: prod
                          receiver: a
                """)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("line 5, column 11 (route.routes[0].match[0].namspace): unknown field 'namspace'")
                .hasMessageContaining("namespace");
    }

    @Test
    void invalidRegularExpressionIsReportedWhereItIs() {
        assertThatThrownBy(() -> parser.parse("""
                receivers: [{name: a, stdout: {}}]
                route:
                  match:
                    - message: "OOM(Killed"
                      receiver: a
                """)).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("line 4, column 16 (route.match[0].message): invalid regular expression");
    }

    @Test
    void routeToAnUnknownReceiverIsAnError() {
        assertThatThrownBy(() -> parser.parse("""
                receivers: [{name: oncall, stdout: {}}]
                route: {match: [{receiver: on-call}]}
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("line 2").hasMessageContaining("route.match[0].receiver")
                .hasMessageContaining("no receiver is named 'on-call' (receivers: oncall)");
    }

    @Test
    void badTemplateAndDuplicateNamesAndMissingVariablesAreErrors() {
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - name: a
                    stdout: {layout: {x: '{{ .Reason | shout }}'}}
                """)).hasMessageContaining("line 3").hasMessageContaining("receivers[0].stdout.layout.x")
                .hasMessageContaining("unknown function 'shout'");
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - {name: a, stdout: {}}
                  - {name: a, file: {path: /tmp/x}}
                """)).hasMessageContaining("line 3").hasMessageContaining("used twice (also at line 2)");
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - name: a
                    slack: {url: 'https://hooks.slack.com/services/${SLACK_PATH}'}
                """)).hasMessageContaining("line 3").hasMessageContaining("environment variable SLACK_PATH is not set");
        assertThatThrownBy(() -> parser.parse("receivers: [{name: Oncall, stdout: {}}]")).hasMessageContaining("lower-case");
    }

    @Test
    void errorsNeverQuoteSecrets() {
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - name: a
                    dingtalk: {url: 'https://oapi.dingtalk.com/robot/send?access_token=sup3rs3cret&x=%zz y'}
                """)).isInstanceOf(ConfigError.class).hasMessageNotContaining("sup3rs3cret");
        assertThatThrownBy(() -> parser.parse("""
                receivers:
                  - name: a
                    dingtalk: 'https://oapi.dingtalk.com/robot/send?access_token=sup3rs3cret'
                """)).isInstanceOf(ConfigError.class).hasMessageNotContaining("sup3rs3cret").hasMessageContaining("a single value");
    }

    @Test
    void emptyDocumentRoutesNothing() {
        RouteConfig config = parser.parse("# nothing yet\n");
        assertThat(config.receivers()).isEmpty();
        assertThat(config.receiversFor(warning("X").build())).isEmpty();
    }
}
