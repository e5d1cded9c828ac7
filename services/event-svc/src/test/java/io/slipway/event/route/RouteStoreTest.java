package io.slipway.event.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The routing file: read at start, re-read on change, written on replace, never replaced by an invalid document. */
class RouteStoreTest {
    private static final String WITH_SECRETS = """
            # on-call robots
            route:
              match: [{type: Warning, receiver: oncall}]
            receivers:
              - name: oncall
                dingtalk:
                  url: https://oapi.dingtalk.com/robot/send?access_token=tok-111
                  secret: SEC-222   # rotate yearly
              - name: hook
                webhook:
                  url: https://user:pw-333@hooks.example.com/in?apikey=key-444&team=a
                  headers: {Authorization: Bearer bearer-555, X-Team: a}
            """;

    @TempDir
    Path dir;
    private Path file;
    private RouteStore store;
    private final List<RouteConfig> applied = new CopyOnWriteArrayList<>();

    @BeforeEach
    void store() {
        file = dir.resolve("sinks.yaml");
        store = new RouteStore(file, new RouteConfigParser(v -> null, java.nio.file.Path.of(System.getProperty("java.io.tmpdir"))), Duration.ofMillis(200));
        store.onChange(applied::add);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void fileChangesComeIntoForceAndInvalidOnesDoNot() throws Exception {
        Files.writeString(file, "receivers: [{name: a, stdout: {}}]\nroute: {match: [{receiver: a}]}\n");
        store.start();
        assertThat(store.current().receivers()).extracting(Receiver::name).containsExactly("a");

        Files.writeString(file, "receivers: [{name: b, stdout: {}}]\nroute: {match: [{receiver: b}]}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.current().receiver("b").isPresent());
        assertThat(applied).hasSize(2);

        Files.writeString(file, "receivers: [{name: c, stdout: {}}]\nroute: {match: [{receiver: nobody}]}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.lastError() != null);
        assertThat(store.lastError()).startsWith("sinks.yaml: ").contains("line 2").contains("no receiver is named 'nobody'")
                .doesNotContain("/");
        assertThat(store.current().receiver("b")).as("the previous routing stays in force").isPresent();
        assertThat(applied).hasSize(2);
    }

    @Test
    void aHandEditedFileNamingAnAddressThePolicyRefusesIsNotPutInForce() throws Exception {
        store.close();
        store = new RouteStore(file, new RouteConfigParser(v -> null, dir), Duration.ofMillis(200),
                RouteService.reachableUnder(io.slipway.outbound.OutboundPolicy.PUBLIC_ONLY));
        Files.writeString(file, "receivers: [{name: a, stdout: {}}]\nroute: {match: [{receiver: a}]}\n");
        store.start();
        assertThat(store.current().receiver("a")).isPresent();

        // an operator edits the file by hand (or a ConfigMap changes) to post events to the metadata service
        Files.writeString(file, "receivers: [{name: meta, webhook: {url: 'http://169.254.169.254/latest/'}}]\n"
                + "route: {match: [{receiver: meta}]}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.lastError() != null);
        assertThat(store.lastError()).contains("(receivers.meta)").contains("169.254.169.254").contains("link-local");
        assertThat(store.current().receiver("meta")).as("never in force").isEmpty();
        assertThat(store.current().receiver("a")).as("the previous routing stays").isPresent();

        // the same document through the API is refused with the same words, and nothing is written
        assertThatThrownBy(() -> store.replace(Files.readString(file).replace("169.254.169.254", "10.1.2.3")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("receivers.meta").hasMessageContaining("private");
        assertThat(store.current().receiver("a")).isPresent();
    }

    @Test
    void secretsAreMaskedWhenShownAndKeptWhenTheMaskedTextComesBack() throws Exception {
        store.start();
        store.replace(WITH_SECRETS);
        String shown = store.current().maskedText();
        assertThat(shown).doesNotContain("tok-111", "SEC-222", "pw-333", "key-444", "bearer-555")
                .contains("access_token=******", "team=a", "X-Team: a", "# on-call robots", "# rotate yearly", "user:******@hooks.example.com");

        String edited = shown.replace("type: Warning", "type: Warning|Normal");
        store.replace(edited);
        String stored = Files.readString(file);
        assertThat(stored).contains("tok-111", "SEC-222", "pw-333", "key-444", "bearer-555", "type: Warning|Normal", "# rotate yearly");
        Target.DingTalk ding = (Target.DingTalk) store.current().receiver("oncall").orElseThrow().target();
        assertThat(ding.secret()).isEqualTo("SEC-222");
        assertThat(ding.url()).endsWith("access_token=tok-111");
    }

    @Test
    void aMaskedSecretThatCannotBeKeptIsAnErrorAndChangesNothing() throws Exception {
        store.start();
        store.replace(WITH_SECRETS);
        String before = Files.readString(file);
        String renamed = store.current().maskedText().replace("name: oncall", "name: pager").replace("receiver: oncall", "receiver: pager");
        assertThatThrownBy(() -> store.replace(renamed)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("line 7").hasMessageContaining("receivers.pager.dingtalk.url").hasMessageContaining("masked secret");
        assertThat(Files.readString(file)).isEqualTo(before);
        assertThat(store.current().receiver("oncall")).isPresent();
    }

    @Test
    void aKeptSecretGoesOnlyWhereItWentBefore() throws Exception {
        store.start();
        store.replace("""
                receivers:
                  - name: hook
                    webhook:
                      url: https://hooks.example.com/in
                      headers: {Authorization: Bearer bearer-555}
                      secret: hmac-666
                  - name: search
                    elasticsearch: {hosts: [https://es.example.com:9200], username: ci, password: es-777}
                """);
        String before = Files.readString(file);
        String shown = store.current().maskedText();
        assertThat(shown).doesNotContain("bearer-555", "hmac-666", "es-777");
        // the URLs hold no secret of their own; the masked header, signing secret and password stay bound to them
        for (String[] move : new String[][]{{"hooks.example.com", "collector.example.net"}, {"es.example.com", "es.example.net"},
                {"username: ci", "username: other"}}) {
            String moved = shown.replace(move[0], move[1]);
            assertThatThrownBy(() -> store.replace(moved)).as(move[1]).isInstanceOf(ConfigError.class).hasMessageContaining("masked secret");
        }
        assertThat(Files.readString(file)).isEqualTo(before);

        // unchanged destinations keep their secrets; given again, a secret may go to the new destination
        store.replace(shown.replace("hooks.example.com", "collector.example.net").replace("secret: \"******\"", "secret: hmac-999")
                .replace("Authorization: \"******\"", "Authorization: Bearer bearer-999"));
        Target.Webhook hook = (Target.Webhook) store.current().receiver("hook").orElseThrow().target();
        assertThat(hook.url()).isEqualTo("https://collector.example.net/in");
        assertThat(hook.secret()).isEqualTo("hmac-999");
        assertThat(((Target.Elasticsearch) store.current().receiver("search").orElseThrow().target()).password()).isEqualTo("es-777");
    }
}
