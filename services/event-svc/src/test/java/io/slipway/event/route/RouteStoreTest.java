package io.slipway.event.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.slipway.backbone.EventContext;
import io.slipway.outbound.OutboundPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing in force and its versions: written through the store, imported from the file (only when the file
 * changed), followed by other instances; never replaced by an invalid document. The versions are kept in memory here;
 * {@code RouteVersionsTest} runs the same paths against PostgreSQL and Kafka.
 */
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
    private static final Consumer<RouteConfig> ANY = config -> { };

    @TempDir
    Path dir;
    private Path file;
    private final MemoryRouteVersions versions = new MemoryRouteVersions();
    private final List<RouteStore> stores = new ArrayList<>();
    private RouteStore store;
    private final List<RouteConfig> applied = new CopyOnWriteArrayList<>();

    @BeforeEach
    void store() {
        file = dir.resolve("sinks.yaml");
        store = store(Optional.of(file), ANY);
        store.onChange(applied::add);
    }

    /** Another instance over the same versions: its own routing in force, its own file (if any). */
    private RouteStore store(Optional<Path> file, Consumer<RouteConfig> admit) {
        RouteStore s = new RouteStore(versions, new RouteConfigParser(v -> null, dir), Duration.ofMillis(200), admit, file);
        stores.add(s);
        return s;
    }

    private static EventContext request() {
        return EventContext.newRequest(null);
    }

    @AfterEach
    void close() {
        stores.forEach(RouteStore::close);
    }

    @Test
    void fileChangesAreImportedAndInvalidOnesAreNot() throws Exception {
        Files.writeString(file, "receivers: [{name: a, stdout: {}}]\nroute: {match: [{receiver: a}]}\n");
        store.start();
        assertThat(store.current().receivers()).extracting(Receiver::name).containsExactly("a");
        assertThat(store.version()).isEqualTo(1);
        assertThat(versions.announced).extracting(MemoryRouteVersions.Announced::changedBy).containsExactly("file:" + file);

        Files.writeString(file, "receivers: [{name: b, stdout: {}}]\nroute: {match: [{receiver: b}]}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.current().receiver("b").isPresent());
        assertThat(applied).hasSize(2);
        assertThat(store.version()).isEqualTo(2);

        Files.writeString(file, "receivers: [{name: c, stdout: {}}]\nroute: {match: [{receiver: nobody}]}\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> store.lastError() != null);
        assertThat(store.lastError()).startsWith("sinks.yaml: ").contains("line 2").contains("no receiver is named 'nobody'")
                .doesNotContain("/");
        assertThat(store.current().receiver("b")).as("the previous routing stays in force").isPresent();
        assertThat(applied).hasSize(2);
        assertThat(versions.all()).as("nothing stored").hasSize(2);
    }

    @Test
    void theFileIsImportedOnceAndAnApiWriteStandsUntilTheFileChanges() throws Exception {
        String fromFile = "receivers: [{name: gitops, stdout: {}}]\nroute: {match: [{receiver: gitops}]}\n";
        Files.writeString(file, fromFile);
        store.start();
        RouteStore other = store(Optional.of(file), ANY); // a second instance mounting the same ConfigMap
        other.start();
        assertThat(other.importFile()).isFalse();
        assertThat(versions.all()).as("imported once although read by two instances").hasSize(1);
        assertThat(other.current().receiver("gitops")).isPresent();

        store.replace("receivers: [{name: api, stdout: {}}]\nroute: {match: [{receiver: api}]}\n", "ops", request());
        assertThat(other.check()).isTrue();
        // a restart reads the unchanged file again: the write through the API stands
        RouteStore restarted = store(Optional.of(file), ANY);
        restarted.start();
        assertThat(restarted.current().receiver("api")).isPresent();
        assertThat(versions.all()).hasSize(2);

        Files.writeString(file, fromFile.replace("gitops", "gitops-2"));
        await().atMost(Duration.ofSeconds(10)).until(() -> other.current().receiver("gitops-2").isPresent()
                && store.current().receiver("gitops-2").isPresent() && restarted.current().receiver("gitops-2").isPresent());
        assertThat(versions.all()).extracting(StoredRoutes::version).containsExactly(1L, 2L, 3L);
    }

    @Test
    void everyInstanceFollowsTheNewestVersionAndNeverGoesBack() {
        store.start();
        RouteStore other = store(Optional.empty(), ANY);
        other.start();
        store.replace("receivers: [{name: one, stdout: {}}]\nroute: {match: [{receiver: one}]}\n", "ops", request());
        store.replace("receivers: [{name: two, stdout: {}}]\nroute: {match: [{receiver: two}]}\n", "ops", request());

        // the event of version 1 arrives after version 2 was written: the newest comes into force at once
        assertThat(other.follow(1)).isTrue();
        assertThat(other.version()).isEqualTo(2);
        assertThat(other.current().text()).isEqualTo(store.current().text());
        assertThat(other.follow(2)).as("there already").isFalse();
        assertThat(other.follow(1)).as("never back").isFalse();
        assertThat(other.current().receiver("two")).isPresent();
    }

    @Test
    void aStoredVersionAnInstanceCannotUseLeavesItsRoutingAsItWas() {
        store.start();
        RouteStore strict = store(Optional.empty(), RouteService.reachableUnder(OutboundPolicy.PUBLIC_ONLY));
        strict.start();
        store.replace("receivers: [{name: a, stdout: {}}]\nroute: {match: [{receiver: a}]}\n", "ops", request());
        assertThat(strict.check()).isTrue();

        store.replace("receivers: [{name: near, webhook: {url: 'http://10.1.2.3/hook'}}]\nroute: {match: [{receiver: near}]}\n", "ops", request());
        assertThat(strict.check()).isFalse();
        assertThat(strict.lastError()).startsWith("version 2: ").contains("receivers.near").contains("private");
        assertThat(strict.current().receiver("a")).isPresent();
        assertThat(strict.check()).as("refused once, not again at every check").isFalse();

        store.replace("receivers: [{name: b, stdout: {}}]\nroute: {match: [{receiver: b}]}\n", "ops", request());
        assertThat(strict.check()).isTrue();
        assertThat(strict.lastError()).isNull();
    }

    @Test
    void aHandEditedFileNamingAnAddressThePolicyRefusesIsNotImported() throws Exception {
        store.close();
        store = store(Optional.of(file), RouteService.reachableUnder(OutboundPolicy.PUBLIC_ONLY));
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

        // the same document through the API is refused with the same words, and nothing is stored
        assertThatThrownBy(() -> store.replace(Files.readString(file).replace("169.254.169.254", "10.1.2.3"), "ops", request()))
                .isInstanceOf(ConfigError.class).hasMessageContaining("receivers.meta").hasMessageContaining("private");
        assertThat(store.current().receiver("a")).isPresent();
        assertThat(versions.all()).hasSize(1);
    }

    @Test
    void secretsAreMaskedWhenShownAndKeptWhenTheMaskedTextComesBack() {
        store.start();
        store.replace(WITH_SECRETS, "ops", request());
        String shown = store.current().maskedText();
        assertThat(shown).doesNotContain("tok-111", "SEC-222", "pw-333", "key-444", "bearer-555")
                .contains("access_token=******", "team=a", "X-Team: a", "# on-call robots", "# rotate yearly", "user:******@hooks.example.com");

        String edited = shown.replace("type: Warning", "type: Warning|Normal");
        store.replace(edited, "ops", request());
        String stored = versions.newest().orElseThrow().text();
        assertThat(stored).contains("tok-111", "SEC-222", "pw-333", "key-444", "bearer-555", "type: Warning|Normal", "# rotate yearly");
        Target.DingTalk ding = (Target.DingTalk) store.current().receiver("oncall").orElseThrow().target();
        assertThat(ding.secret()).isEqualTo("SEC-222");
        assertThat(ding.url()).endsWith("access_token=tok-111");
        assertThat(versions.announced).extracting(MemoryRouteVersions.Announced::receivers)
                .containsOnly(List.of("oncall", "hook"));
    }

    @Test
    void aMaskedSecretThatCannotBeKeptIsAnErrorAndChangesNothing() {
        store.start();
        store.replace(WITH_SECRETS, "ops", request());
        String renamed = store.current().maskedText().replace("name: oncall", "name: pager").replace("receiver: oncall", "receiver: pager");
        assertThatThrownBy(() -> store.replace(renamed, "ops", request())).isInstanceOf(ConfigError.class)
                .hasMessageContaining("line 7").hasMessageContaining("receivers.pager.dingtalk.url").hasMessageContaining("masked secret");
        assertThat(versions.all()).hasSize(1);
        assertThat(store.current().receiver("oncall")).isPresent();
    }

    @Test
    void aKeptSecretGoesOnlyWhereItWentBefore() {
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
                """, "ops", request());
        String shown = store.current().maskedText();
        assertThat(shown).doesNotContain("bearer-555", "hmac-666", "es-777");
        // the URLs hold no secret of their own; the masked header, signing secret and password stay bound to them
        for (String[] move : new String[][]{{"hooks.example.com", "collector.example.net"}, {"es.example.com", "es.example.net"},
                {"username: ci", "username: other"}}) {
            String moved = shown.replace(move[0], move[1]);
            assertThatThrownBy(() -> store.replace(moved, "ops", request())).as(move[1]).isInstanceOf(ConfigError.class)
                    .hasMessageContaining("masked secret");
        }
        assertThat(versions.all()).hasSize(1);

        // unchanged destinations keep their secrets; given again, a secret may go to the new destination
        store.replace(shown.replace("hooks.example.com", "collector.example.net").replace("secret: \"******\"", "secret: hmac-999")
                .replace("Authorization: \"******\"", "Authorization: Bearer bearer-999"), "ops", request());
        Target.Webhook hook = (Target.Webhook) store.current().receiver("hook").orElseThrow().target();
        assertThat(hook.url()).isEqualTo("https://collector.example.net/in");
        assertThat(hook.secret()).isEqualTo("hmac-999");
        assertThat(((Target.Elasticsearch) store.current().receiver("search").orElseThrow().target()).password()).isEqualTo("es-777");
    }
}
