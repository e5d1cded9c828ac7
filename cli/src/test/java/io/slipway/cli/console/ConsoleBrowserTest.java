package io.slipway.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.cli.stack.Stack;
import io.slipway.events.kube.KubeEvent;
import io.slipway.schemas.EventCodec;
import io.slipway.security.Role;
import io.slipway.testkit.Needs;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real headless Chromium on a whole local stack: an operator signs in, starts a build through the
 * API and watches it appear and its log arrive without reloading; every page shows what its service answers; a
 * Kubernetes event shows up as it is published; a viewer's delete is refused by the API and the page says so. A
 * screenshot of every page goes to {@code target/console-screenshots/} (the README's come from there).
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SHOTS = Path.of("target", "console-screenshots");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anOperatorWatchesABuildLiveAndAViewerIsRefusedADelete(@TempDir Path dir) throws Exception {
        Needs.machine(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; ./slipway test installs them)");
        Files.createDirectories(SHOTS);
        try (var old = Files.newDirectoryStream(SHOTS, "*.png")) {
            for (Path shot : old) {
                Files.delete(shot);
            }
        }
        Stack.Options options = new Stack.Options(dir, ProjectHome.require(null), 0, Stack.DEFAULT_START_TIMEOUT, List.of(), System.out);
        try (Stack stack = Stack.start(options)) {
            URI gateway = stack.gatewayUrl();
            WebDriver browser = browser();
            try {
                WebDriverWait wait = new WebDriverWait(browser, WAIT);
                signIn(browser, wait, gateway, stack.token(Role.operator, Duration.ofHours(1)), "operator");

                // the page stays loaded from here on: a marker set now would be gone after any reload
                ((JavascriptExecutor) browser).executeScript("window.consoleTestMarker = 'still here'");
                String build = requestBuild(gateway, stack.token(Role.operator, Duration.ofHours(1)), dir);
                By row = By.cssSelector("tr[data-build='" + build + "']");
                wait.until(ExpectedConditions.presenceOfElementLocated(row));
                browser.findElement(row).findElement(By.cssSelector("a[data-stream]")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("follow-log"), "COPY manifests"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(row, "Succeeded"));
                assertThat(((JavascriptExecutor) browser).executeScript("return window.consoleTestMarker")).isEqualTo("still here");
                assertThat(browser.findElement(By.id("live-state")).getText()).isEqualTo("live");
                shoot(browser, "builds");

                open(browser, wait, gateway, "images", By.cssSelector("tr[data-image='docker.io/console/demo:v1']"));
                shoot(browser, "images");
                open(browser, wait, gateway, "clusters", By.cssSelector("#live"));
                assertThat(browser.findElement(By.id("live")).getText()).contains("No clusters");
                shoot(browser, "clusters");
                open(browser, wait, gateway, "pools", By.cssSelector("#live"));
                shoot(browser, "pools");
                open(browser, wait, gateway, "workloads", By.id("kinds"));
                assertThat(browser.findElement(By.id("kinds")).getText()).contains("statefulsets");
                shoot(browser, "workloads");

                open(browser, wait, gateway, "events", By.id("sinks"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("follow-state"), "following"));
                String reason = "ConsoleSaw" + UUID.randomUUID().toString().substring(0, 8);
                publishKubeEvent(stack.bootstrapServers(), reason);
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("kube-events"), reason));
                assertThat(browser.findElement(By.id("kube-events")).getText()).contains("Warning", "Pod default/web-1");
                shoot(browser, "events");

                open(browser, wait, gateway, "lag", By.id("lag"));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("lag"), "slipway.build.events"));
                assertThat(browser.findElement(By.id("lag")).getText()).contains("deploy-svc.build-catalog");
                shoot(browser, "lag");

                browser.findElement(By.cssSelector("header form button")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token")));
                signIn(browser, wait, gateway, stack.token(Role.viewer, Duration.ofHours(1)), "viewer");
                open(browser, wait, gateway, "images", By.cssSelector("tr[data-image='docker.io/console/demo:v1']"));
                browser.findElement(By.cssSelector("tr[data-image='docker.io/console/demo:v1'] button[data-action='delete-image']")).click();
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("notice")));
                assertThat(browser.findElement(By.id("notice")).getText()).contains("Refused by the API: 403 Forbidden", "may not", "viewer");
                assertThat(get(gateway, "/api/v1/images", stack.token(Role.viewer, Duration.ofHours(1))).body())
                        .as("the refused delete changed nothing").contains("docker.io/console/demo:v1");
                shoot(browser, "viewer-refused");
            } catch (RuntimeException | AssertionError e) {
                shoot(browser, "failure");
                throw e;
            } finally {
                browser.quit();
            }
        }
    }

    /** Debian's chromium through its chromedriver, both named outright so Selenium Manager never looks for (or downloads) one. */
    private static WebDriver browser() {
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--window-size=1280,800", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions");
        if ("root".equals(System.getProperty("user.name"))) {
            options.addArguments("--no-sandbox"); // Chromium refuses to run its sandbox as root
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static void signIn(WebDriver browser, WebDriverWait wait, URI gateway, String token, String role) {
        browser.get(gateway.resolve("/").toString());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("token")));
        if (role.equals("operator")) {
            shoot(browser, "login");
        }
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("role"), role));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-state"), "live"));
    }

    /** Opens a page and waits until its live part is connected and shows {@code ready}. */
    private static void open(WebDriver browser, WebDriverWait wait, URI gateway, String page, By ready) {
        browser.get(gateway.resolve("/console/" + page).toString());
        wait.until(ExpectedConditions.presenceOfElementLocated(ready));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-state"), "live"));
    }

    private static void shoot(WebDriver browser, String name) {
        try {
            Files.write(SHOTS.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new IllegalStateException("cannot save the screenshot " + name, e);
        }
    }

    /** A build through the API, as CI would start one: the context uploaded, then the request. */
    private String requestBuild(URI gateway, String token, Path dir) throws Exception {
        HttpResponse<String> uploaded = http.send(HttpRequest.newBuilder(gateway.resolve("/api/v1/builds/contexts"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-tar")
                .POST(HttpRequest.BodyPublishers.ofByteArray(context())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        String body = JSON.writeValueAsString(Map.of("image", "console/demo:v1", "context", JSON.readTree(uploaded.body()).path("context").asText()));
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(gateway.resolve("/api/v1/builds"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("id").asText();
    }

    private static byte[] context() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            entry(tar, "Kubefile", "FROM scratch\nCOPY manifests manifests\nLABEL app=console-demo\n");
            entry(tar, "manifests/app.yaml", "kind: ConfigMap\n");
        }
        return bytes.toByteArray();
    }

    private static void entry(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** A Kubernetes event as event-svc's ingest publishes one (no cluster is watched here). */
    private static void publishKubeEvent(String bootstrapServers, String reason) throws Exception {
        Instant now = Instant.now();
        KubeEvent event = KubeEvent.newBuilder().setUid(UUID.randomUUID().toString()).setCluster("demo").setNamespace("default")
                .setType("Warning").setReason(reason).setMessage("Back-off restarting failed container").setCount(1)
                .setInvolvedKind("Pod").setInvolvedName("web-1").setInvolvedUid(UUID.randomUUID().toString())
                .setInvolvedLabels(Map.of()).setInvolvedAnnotations(Map.of()).setFirstSeen(now).setLastSeen(now).build();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("slipway.kube.events", event.getInvolvedUid(), EventCodec.released().encode(event))).get();
        }
    }

    private HttpResponse<String> get(URI gateway, String path, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.resolve(path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
