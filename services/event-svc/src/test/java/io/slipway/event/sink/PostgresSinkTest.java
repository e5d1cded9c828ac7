package io.slipway.event.sink;

import static io.slipway.event.TestEvents.warning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.slipway.events.kube.KubeEvent;
import io.slipway.testkit.Infra;
import io.slipway.testkit.KafkaTopics;
import io.slipway.testkit.SlipwayInfra;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL sink against the real server: one row per occurrence, a bad row alone refused, replays change nothing. */
class PostgresSinkTest {
    @BeforeAll
    static void driver() throws Exception {
        // a @QuarkusTest earlier in this JVM may have initialized DriverManager with its own class loader's driver
        DriverManager.registerDriver(new org.postgresql.Driver());
    }

    @Test
    void rowsPerOccurrenceWithoutDuplicatesAndOnlyTheBadRowRefused() throws Exception {
        Infra infra = SlipwayInfra.get();
        infra.createDatabaseIfMissing("event_sinks");
        String url = "jdbc:postgresql://" + infra.dbHost() + ":" + infra.dbPort() + "/event_sinks";
        String table = "kube_events_" + UUID.randomUUID().toString().substring(0, 8);
        try (SinkHarness h = new SinkHarness("""
                route: {match: [{receiver: archive}]}
                receivers:
                  - name: archive
                    postgres: {url: '%s', user: '%s', password: '%s', table: %s}
                """.formatted(url, infra.dbUser(), infra.dbPassword(), table))) {
            List<KubeEvent> events = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                events.add(warning("BackOff").setCount(i).setInvolvedLabels(Map.of("app", "web")).build());
            }
            // PostgreSQL text cannot hold NUL: this row is refused for its data, alone
            events.add(2, warning("Corrupt").setMessage("bad \u0000 byte").build());
            h.burst(events);

            await().atMost(Duration.ofSeconds(30)).until(() -> h.counters("archive").delivered() == 5 && h.counters("archive").deadLettered() == 1);
            assertThat(rows(url, infra, table)).isEqualTo(5);
            assertThat(KafkaTopics.header(h.deadLetters("archive").get(0), "dead-letter-reason")).contains("PostgreSQL 22");
            try (Connection c = DriverManager.getConnection(url, infra.dbUser(), infra.dbPassword());
                 ResultSet r = c.createStatement().executeQuery("select count, labels->>'app', reason from " + table + " order by count")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(1);
                assertThat(r.getString(2)).isEqualTo("web");
                assertThat(r.getString(3)).isEqualTo("BackOff");
            }

            h.sinks.replay("archive", new ReplayFrom.Earliest());
            await().atMost(Duration.ofSeconds(30)).until(() -> h.counters("archive").delivered() == 10);
            assertThat(rows(url, infra, table)).as("replayed occurrences are already stored").isEqualTo(5);
        }
    }

    private static int rows(String url, Infra infra, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url, infra.dbUser(), infra.dbPassword());
             ResultSet r = c.createStatement().executeQuery("select count(*) from " + table)) {
            r.next();
            return r.getInt(1);
        }
    }
}
