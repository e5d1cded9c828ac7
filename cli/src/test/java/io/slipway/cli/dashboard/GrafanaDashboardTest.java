package io.slipway.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.stack.ProjectHome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/slipway.json is a dashboard Grafana loads, and every Slipway metric it queries is one the code records:
 * a renamed or mistyped metric is a failure here, not an empty panel. The metrics of Quarkus and of the Kafka client
 * that it queries are checked against the live services in {@code StackTest}.
 */
public class GrafanaDashboardTest {
    /** A meter the code registers: {@code counter("slipway.x")}, {@code Timer.builder("slipway.x")}, a gauge. */
    private static final Pattern METER = Pattern.compile(
            "(counter|Counter\\.builder|timer|Timer\\.builder|gauge|Gauge\\.builder|summary|DistributionSummary\\.builder)\\(\\s*\"(slipway\\.[a-z0-9.]+)\"");
    private static final Pattern QUERIED = Pattern.compile("\\b(slipway_[a-z0-9_]+)");

    public static Path dashboard() {
        return ProjectHome.require(null).resolve("deploy/grafana/slipway.json");
    }

    /** Every metric name a PromQL expression of the dashboard names (series names only; labels and functions are not). */
    public static Set<String> queried(JsonNode dashboard, Pattern names) {
        Set<String> found = new TreeSet<>();
        for (String expr : expressions(dashboard)) {
            String withoutLabels = expr.replaceAll("\\{[^}]*}", "{}");
            Matcher m = names.matcher(withoutLabels);
            while (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }

    static List<String> expressions(JsonNode dashboard) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    @Test
    void everyPanelIsWellFormedAndPlacedWithoutOverlap() throws IOException {
        JsonNode d = new ObjectMapper().readTree(dashboard().toFile());
        assertThat(d.path("uid").asText()).isEqualTo("slipway-overview");
        assertThat(d.path("templating").path("list").findValuesAsText("name")).contains("datasource");
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            String title = p.path("title").asText();
            assertThat(title).isNotBlank();
            assertThat(ids.add(p.path("id").asInt())).as("panel id of %s is unique", title).isTrue();
            JsonNode g = p.path("gridPos");
            int[] box = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
            assertThat(box[0] + box[2]).as("%s fits in 24 columns", title).isLessThanOrEqualTo(24);
            for (int[] other : boxes) {
                boolean overlap = box[0] < other[0] + other[2] && other[0] < box[0] + box[2] && box[1] < other[1] + other[3]
                        && other[1] < box[1] + box[3];
                assertThat(overlap).as("%s overlaps another panel", title).isFalse();
            }
            boxes.add(box);
            if (p.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.path("targets").size()).as("%s has queries", title).isPositive();
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : p.path("targets")) {
                assertThat(refIds.add(t.path("refId").asText())).as("refIds of %s", title).isTrue();
                assertThat(t.path("expr").asText()).as("a query of %s", title).isNotBlank();
                assertThat(balanced(t.path("expr").asText())).as("brackets of %s", t.path("expr").asText()).isTrue();
            }
        }
    }

    @Test
    void everySlipwayMetricTheDashboardQueriesIsOneTheCodeRecords() throws IOException {
        JsonNode d = new ObjectMapper().readTree(dashboard().toFile());
        Set<String> recorded = recordedSeries(ProjectHome.require(null));
        // the new ones of build-svc and deploy-svc, and the backbone's, are among them: the scan itself works
        assertThat(recorded).contains("slipway_build_duration_seconds_bucket", "slipway_deploy_ssh_sent_bytes_total",
                "slipway_dlq_records_total", "slipway_ingest_queue_depth");
        Set<String> queried = queried(d, QUERIED);
        assertThat(queried).hasSizeGreaterThan(20);
        assertThat(queried).allSatisfy(name -> assertThat(recorded).as("%s is recorded by some service", name).contains(name));
    }

    /** The Prometheus series the services' meters produce, as Micrometer's Prometheus registry names them. */
    static Set<String> recordedSeries(Path root) throws IOException {
        Set<String> series = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> s = Stream.concat(Files.walk(root.resolve("platform")), Files.walk(root.resolve("services")))) {
            sources = s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")).toList();
        }
        for (Path file : sources) {
            Matcher m = METER.matcher(Files.readString(file));
            while (m.find()) {
                String base = m.group(2).replace('.', '_');
                switch (m.group(1)) {
                    case "counter", "Counter.builder" -> series.add(base + "_total");
                    case "timer", "Timer.builder" -> {
                        for (String suffix : List.of("_seconds", "_seconds_count", "_seconds_sum", "_seconds_max", "_seconds_bucket")) {
                            series.add(base + suffix);
                        }
                    }
                    case "summary", "DistributionSummary.builder" -> {
                        for (String suffix : List.of("", "_count", "_sum", "_max", "_bucket")) {
                            series.add(base + suffix);
                        }
                    }
                    default -> series.add(base);
                }
            }
        }
        return series;
    }

    private static boolean balanced(String expr) {
        int round = 0;
        int curly = 0;
        int square = 0;
        for (char c : expr.toCharArray()) {
            switch (c) {
                case '(' -> round++;
                case ')' -> round--;
                case '{' -> curly++;
                case '}' -> curly--;
                case '[' -> square++;
                case ']' -> square--;
                default -> { }
            }
            if (round < 0 || curly < 0 || square < 0) {
                return false;
            }
        }
        return round == 0 && curly == 0 && square == 0;
    }
}
