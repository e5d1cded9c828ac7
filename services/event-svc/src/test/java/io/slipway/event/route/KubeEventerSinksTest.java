package io.slipway.event.route;

import static io.slipway.event.TestEvents.normal;
import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.events.kube.KubeEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kube-eventer's --sink URIs become receivers and routes that filter as kube-eventer documents. */
class KubeEventerSinksTest {
    private final RouteConfigParser parser = new RouteConfigParser(v -> null, java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));

    private RouteConfig sinks(String... uris) {
        StringBuilder yaml = new StringBuilder("kubeEventer:\n");
        for (String uri : uris) {
            yaml.append("  - '").append(uri).append("'\n");
        }
        return parser.parse(yaml.toString());
    }

    @Test
    void dingTalkWithLevelNamespacesKindsAndExcludedReasons() {
        RouteConfig config = sinks("--sink=dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc123&level=Warning"
                + "&namespaces=shop,pay&kinds=Pod,Node&exclude_reasons=Pulling,Pulled&label=cluster-7&msg_type=text&sign=SEC999");
        Receiver r = config.receiver("dingtalk").orElseThrow();
        Target.DingTalk d = (Target.DingTalk) r.target();
        assertThat(d.url()).isEqualTo("https://oapi.dingtalk.com/robot/send?access_token=abc123");
        assertThat(d.secret()).isEqualTo("SEC999");
        assertThat(d.markdown()).isFalse();
        assertThat(d.text().render(EventView.of(warning("BackOff").setNamespace("shop").build())))
                .startsWith("cluster-7\nLevel:Warning \nKind:Pod \nNamespace:shop \nName:web-1 \nReason:BackOff");

        assertThat(config.receiversFor(warning("BackOff").setNamespace("shop").build())).containsExactly("dingtalk");
        assertThat(config.receiversFor(normal("BackOff").setNamespace("shop").build())).as("level Warning").isEmpty();
        assertThat(config.receiversFor(warning("BackOff").setNamespace("shopping").build())).as("namespaces are exact").isEmpty();
        assertThat(config.receiversFor(warning("BackOff").setNamespace("pay").setInvolvedKind("Node").build())).containsExactly("dingtalk");
        assertThat(config.receiversFor(warning("BackOff").setNamespace("pay").setInvolvedKind("Deployment").build())).isEmpty();
        assertThat(config.receiversFor(warning("Pulling").setNamespace("pay").build())).as("exclude_reasons").isEmpty();
    }

    @Test
    void dingTalkLevelNormalMeansNormalAndAbove() {
        RouteConfig config = sinks("dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc&level=Normal&msg_type=markdown&cluster_id=c1");
        assertThat(config.receiversFor(normal("Scheduled").build())).containsExactly("dingtalk");
        assertThat(config.receiversFor(warning("BackOff").build())).containsExactly("dingtalk");
        Target.DingTalk d = (Target.DingTalk) config.receiver("dingtalk").orElseThrow().target();
        assertThat(d.markdown()).isTrue();
        assertThat(d.title().render(Map.of())).isEqualTo("Kubernetes(ID:c1) Event");
        assertThat(sinks("dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc").receiversFor(normal("Scheduled").build()))
                .as("Warning by default").isEmpty();
    }

    @Test
    void webhookKeepsItsOwnQueryAndFiltersByExactLevelAndReasonPatterns() {
        RouteConfig config = sinks("webhook:https://hooks.example.com/in?key=k1&level=Normal&kinds=Pod&reason=^Back&reason=Fail.*"
                + "&method=POST&header=Content-Type=application/json&header=X-Token=xyz");
        Target.Webhook w = (Target.Webhook) config.receiver("webhook").orElseThrow().target();
        assertThat(w.url()).isEqualTo("https://hooks.example.com/in?key=k1");
        assertThat(w.method()).isEqualTo("POST");
        assertThat(w.headers().keySet()).containsExactly("Content-Type", "X-Token");
        assertThat(config.receiversFor(normal("BackOff").build())).containsExactly("webhook");
        assertThat(config.receiversFor(normal("FailedMount").build())).containsExactly("webhook");
        assertThat(config.receiversFor(normal("Scheduled").build())).as("reason").isEmpty();
        assertThat(config.receiversFor(warning("BackOff").build())).as("level is exact for webhooks").isEmpty();
        String body = w.body().render(EventView.of(normal("BackOff").setMessage("a \"quoted\" message").build()));
        assertThat(body).contains("\"EventType\": \"Normal\"").contains("\"EventMessage\": \"a \\\"quoted\\\" message\"");
        assertThat(sinks("webhook:http://h/x").receiver("webhook").map(rr -> ((Target.Webhook) rr.target()).method())).hasValue("GET");
    }

    @Test
    void kafkaElasticsearchWechatFeishuAndLog() {
        RouteConfig config = parser.parse("""
                kubeEventer:
                  - kafka:?brokers=k1:9092&brokers=k2:9092&eventstopic=events&compression=gzip&user=u&password=p
                  - elasticsearch:?nodes=http://es1:9200&nodes=http://es2:9200&index=kube&esUserName=elastic&esUserSecret=pw&sniff=false&ver=7
                  - wechat:?corp_id=corp&corp_secret=cs&agent_id=1000012&to_user=ann,bob&level=Normal
                  - feishu:https://open.feishu.cn/open-apis/bot/v2/hook/abc?level=Warning&cluster_id=c9
                  - log
                  - {name: second-kafka, sink: 'kafka:?brokers=k3:9092'}
                """);
        Target.Kafka k = (Target.Kafka) config.receiver("kafka").orElseThrow().target();
        assertThat(k.brokers()).containsExactly("k1:9092", "k2:9092");
        assertThat(k.topic()).isEqualTo("events");
        assertThat(k.json()).isTrue();
        assertThat(k.properties()).containsEntry("compression.type", "gzip").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("security.protocol", "SASL_PLAINTEXT");
        assertThat(k.properties().get("sasl.jaas.config")).contains("username=\"u\" password=\"p\"");
        Target.Elasticsearch es = (Target.Elasticsearch) config.receiver("elasticsearch").orElseThrow().target();
        assertThat(es.hosts()).containsExactly("http://es1:9200", "http://es2:9200");
        assertThat(es.index()).isEqualTo("kube");
        assertThat(es.username()).isEqualTo("elastic");
        assertThat(es.password()).isEqualTo("pw");
        Target.WeCom w = (Target.WeCom) config.receiver("wechat").orElseThrow().target();
        assertThat(w.app()).isEqualTo(new Target.App("https://qyapi.weixin.qq.com", "corp", "cs", 1000012, "ann|bob"));
        Target.Lark l = (Target.Lark) config.receiver("feishu").orElseThrow().target();
        assertThat(l.url()).isEqualTo("https://open.feishu.cn/open-apis/bot/v2/hook/abc");
        assertThat(l.card()).isTrue();
        assertThat(config.receiver("log").orElseThrow().target()).isInstanceOf(Target.Stdout.class);
        assertThat(config.receiver("second-kafka")).isPresent();

        KubeEvent normal = normal("Scheduled").build();
        assertThat(config.receiversFor(normal)).as("kafka, es and log take everything, wechat takes Normal and above, feishu Warning only")
                .containsExactlyInAnyOrder("kafka", "elasticsearch", "wechat", "log", "second-kafka");
    }

    @Test
    void tokensInUrisAreMaskedWhenShown() {
        RouteConfig config = parser.parse("""
                kubeEventer:
                  - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=abc123&level=Warning&sign=SEC999
                  - kafka:?brokers=k1:9092&user=u&password=hunter2
                  - feishu:https://open.feishu.cn/open-apis/bot/v2/hook/hooktoken42
                """);
        String shown = config.maskedText();
        assertThat(shown).doesNotContain("abc123", "SEC999", "hunter2", "hooktoken42")
                .contains("access_token=******", "level=Warning", "sign=******", "password=******", "/hook/******", "brokers=k1:9092");
    }

    @Test
    void unsupportedSinksAndUnknownOptionsAreErrorsWithTheLine() {
        assertThatThrownBy(() -> parser.parse("kubeEventer:\n  - sls:https://sls.aliyuncs.com?project=p\n"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("line 2").hasMessageContaining("'sls' has no counterpart");
        assertThatThrownBy(() -> parser.parse("kubeEventer:\n  - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=a&levle=Normal\n"))
                .hasMessageContaining("unknown option 'levle'");
        assertThatThrownBy(() -> parser.parse("kubeEventer:\n  - dingtalk:https://oapi.dingtalk.com/robot/send?level=Normal\n"))
                .hasMessageContaining("access_token is required");
        assertThatThrownBy(() -> parser.parse("kubeEventer:\n  - webhook:https://h/x?custom_body_configmap=cm\n"))
                .hasMessageContaining("custom_body_configmap");
        RouteConfig two = parser.parse("kubeEventer:\n  - dingtalk:https://oapi.dingtalk.com/robot/send?access_token=a\n  - dingtalk:https://x/y?access_token=b\n");
        assertThat(two.receivers()).extracting(Receiver::name).as("two of a kind get numbered names").containsExactly("dingtalk", "dingtalk-2");
    }
}
