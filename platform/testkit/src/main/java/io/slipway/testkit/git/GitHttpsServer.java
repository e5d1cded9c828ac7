package io.slipway.testkit.git;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.slipway.embedded.SelfSignedKeyPair;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A git server for tests: real bare repositories served over HTTPS with git's "dumb" HTTP protocol (static files after
 * {@code git update-server-info}, which every git client speaks), behind a self-signed certificate and, optionally,
 * HTTP basic authentication, as a private git host with an access token is. Records which requests carried which
 * credentials, so a test can check what a client sent where.
 */
public final class GitHttpsServer implements AutoCloseable {
    /** One request: its path and the basic-auth user and password it carried (null without). */
    public record Request(String path, String user, String password) {
    }

    private final Path root;
    private final SelfSignedKeyPair tls;
    private final String user;
    private final String password;
    private final HttpsServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private GitHttpsServer(Path root, SelfSignedKeyPair tls, String user, String password) throws IOException, GeneralSecurityException {
        this.root = root;
        this.tls = tls;
        this.user = user;
        this.password = password;
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        char[] pass = "in-memory".toCharArray();
        keys.setKeyEntry("tls", tls.privateKey(), pass, new Certificate[]{tls.x509()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, pass);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "git-https-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server of the repositories under {@code dir}, open to anyone. */
    public static GitHttpsServer start(Path dir) throws IOException {
        return start(dir, null, null);
    }

    /** A server of the repositories under {@code dir} that answers 401 to any request without {@code user}/{@code password}. */
    public static GitHttpsServer start(Path dir, String user, String password) throws IOException {
        try {
            Path tlsDir = Files.createDirectories(dir.resolve("tls"));
            SelfSignedKeyPair tls = SelfSignedKeyPair.generate(tlsDir, "git", tlsDir.resolve("keytool.log"));
            return new GitHttpsServer(Files.createDirectories(dir.resolve("repos")), tls, user, password);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the git server's certificate", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot serve TLS: " + e.getMessage(), e);
        }
    }

    /** Serves a bare copy of the work repository {@code workRepo} as {@code <name>.git}, with its branches and tags; again to update it. */
    public String publish(String name, Path workRepo) throws IOException {
        Path bare = root.resolve(name + ".git");
        if (Files.exists(bare)) {
            git(bare, "fetch", "--quiet", "--force", "--tags", workRepo.toAbsolutePath().toString(), "+refs/heads/*:refs/heads/*");
        } else {
            git(root, "clone", "--quiet", "--bare", workRepo.toAbsolutePath().toString(), bare.toString());
        }
        git(bare, "update-server-info");
        return url(name);
    }

    /** {@code https://127.0.0.1:<port>/<name>.git}. */
    public String url(String name) {
        return "https://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    /** The server's certificate (PEM), the CA a client must trust. */
    public Path caCertificate() {
        return tls.certificate();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String[] credentials = basic(ex.getRequestHeaders().getFirst("Authorization"));
            requests.add(new Request(path, credentials == null ? null : credentials[0], credentials == null ? null : credentials[1]));
            if (user != null && (credentials == null || !user.equals(credentials[0]) || !password.equals(credentials[1]))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                ex.sendResponseHeaders(401, -1);
                return;
            }
            Path file = root.resolve(path.substring(1)).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = Files.readAllBytes(file);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String[] basic(String header) {
        if (header == null || !header.startsWith("Basic ")) {
            return null;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 ? new String[]{decoded, ""} : new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    private static void git(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(Files.isDirectory(dir) ? dir.toFile() : dir.getParent().toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
