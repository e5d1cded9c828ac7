package io.slipway.event.route;

import static io.slipway.event.TestEvents.normal;
import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.testkit.fuzz.Fuzzer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Any routing file (route tree, receivers, kube-eventer sink URIs) is put in force or refused with a {@link ConfigError}
 * naming line and field; what is accepted routes events without failing.
 */
class RouteFuzzTest {
    private final RouteConfigParser parser = new RouteConfigParser(Map.of("SLIPWAY_SINK_TOKEN", "t0k3n")::get,
            Path.of(System.getProperty("java.io.tmpdir")));

    @Test
    void anyRoutingFileIsUsedOrRefusedWithItsLine() {
        Fuzzer.Report report = Fuzzer.text("routes + kube-eventer",
                        """
                        route:
                          match: [{receiver: oncall}]
                          routes:
                            - match: [{type: Warning, reason: '^Back', kind: Pod, labels: {team: pay}}]
                              drop: [{message: 'noise.*'}]
                              receiver: audit
                        receivers:
                          - name: oncall
                            dingtalk: {url: 'https://oapi.dingtalk.com/robot/send?access_token=${SLIPWAY_SINK_TOKEN}', msgType: markdown}
                            rateLimit: [{messages: 5, per: 1s}]
                          - name: audit
                            webhook:
                              url: http://127.0.0.1:1/x
                              headers: {X-Team: '{{ index .InvolvedObject.Labels "team" }}'}
                              layout: {summary: '{{ .Reason }} on {{ .InvolvedObject.Kind }}', tags: ['{{ .Type }}', fixed]}
                            retry: {maxAttempts: 3, initialBackoff: 100ms}
                        """,
                        """
                        kubeEventer:
                          - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc&level=Warning&msg_type=markdown
                          - webhook:https://hooks.example.com/in?key=k1&level=Normal&kinds=Pod&reason=^Back&reason=Fail.*
                          - kafka:?brokers=k1:9092&brokers=k2:9092&eventstopic=events&compression=gzip
                          - elasticsearch:?nodes=http://es1:9200&index=kube&sniff=false&ver=7
                          - {name: second, sink: 'slack:https://hooks.slack.com/services/T/B/X?level=Warning'}
                        """,
                        "receivers: [{name: f, file: {path: events.jsonl}}, {name: s, stdout: {}}]\nroute: {receiver: s}\n")
                .dictionary("route:", "routes:", "match:", "drop:", "receiver: ", "receivers:", "- name: ", "webhook:", "dingtalk:",
                        "lark:", "slack:", "kafka:", "elasticsearch:", "file:", "stdout:", "url: ", "layout:", "headers:", "{{", "}}",
                        "${", "${SLIPWAY_SINK_TOKEN}", "${HOME}", "kubeEventer:", "?", "&", "=", "level=", "brokers=", "nodes=",
                        "[", "]", "(", "*", "\\", "1ms", "0s", "-1", "99999999999", "rateLimit:", "retry:", "maxAttempts: ")
                .run(input -> {
                    RouteConfig config = parser.parse(input);
                    config.receiversFor(warning("BackOff").build());
                    config.receiversFor(normal("Scheduled").build());
                }, ConfigError.class);
        assertThat(report.crashes()).isEmpty();
    }
}
