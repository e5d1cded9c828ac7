package io.slipway.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OCI distribution registry (Debian's {@code docker-registry}, distribution 2.8) on 127.0.0.1 with its blobs in a
 * given directory: plain HTTP, or TLS with a certificate generated at start; anonymous, htpasswd basic auth, or token
 * auth through a small token server in this JVM that signs JWTs with a key the registry trusts (the distribution token
 * flow, as Docker Hub and Harbor do it). Deletes are enabled. The registry's log is {@code <dataDir>/registry.log}.
 *
 * <p>Needs the Debian packages {@code docker-registry} and, for basic auth, {@code apache2-utils} (bcrypt htpasswd).
 * Certificates and keys are generated with the JDK's {@code keytool}.
 */
public final class EmbeddedRegistry implements AutoCloseable {

    public static final String BINARY = "/usr/bin/docker-registry";
    /** The {@code service} the registry names in its token challenge and expects as the token's audience. */
    public static final String TOKEN_SERVICE = "slipway-embedded-registry";
    private static final String TOKEN_ISSUER = "slipway-embedded-token-server";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** How clients must authenticate. */
    public enum Auth { NONE, BASIC, TOKEN }

    private final Path dataDir;
    private final Path log;
    private final int port;
    private final boolean tls;
    private final Path caCertificate;
    private final Auth auth;
    private final String username;
    private final String password;
    private final ServerProcess process;
    private final TokenServer tokenServer;

    private EmbeddedRegistry(Builder b, Path log, int port, Path caCertificate, ServerProcess process, TokenServer tokenServer) {
        this.dataDir = b.dataDir;
        this.log = log;
        this.port = port;
        this.tls = b.tls;
        this.caCertificate = caCertificate;
        this.auth = b.auth;
        this.username = b.username;
        this.password = b.password;
        this.process = process;
        this.tokenServer = tokenServer;
    }

    /** An anonymous plain-HTTP registry storing its content under {@code dataDir}. */
    public static EmbeddedRegistry start(Path dataDir) {
        return builder(dataDir).start();
    }

    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    /** True when Debian's registry binary is installed here. */
    public static boolean available() {
        return Files.isExecutable(Path.of(BINARY));
    }

    /** {@code 127.0.0.1:<port>}, the registry part of image references. */
    public String host() {
        return Processes.LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    /** The base URL, {@code http://} or {@code https://}. */
    public String url() {
        return (tls ? "https://" : "http://") + host();
    }

    public boolean isTls() {
        return tls;
    }

    /** The PEM certificate clients must trust to talk TLS to this registry (self-signed; it is its own CA); null without TLS. */
    public Path caCertificate() {
        return caCertificate;
    }

    public Auth auth() {
        return auth;
    }

    /** The user that may push and pull (basic or token auth); null when anonymous. */
    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The token endpoint (realm) of token auth; null otherwise. */
    public String tokenRealm() {
        return tokenServer == null ? null : tokenServer.realm();
    }

    /** How many tokens the token server has issued, to prove a client went through the token flow. */
    public int tokensIssued() {
        return tokenServer == null ? 0 : tokenServer.issued.get();
    }

    /** The registry's storage root (its {@code docker/registry/v2} tree). */
    public Path storageDir() {
        return dataDir.resolve("storage");
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return log;
    }

    public boolean isRunning() {
        return process.isRunning();
    }

    /** Stops the registry (SIGTERM, SIGKILL after 10 s) and the token server; the stored content stays. */
    public void stop() {
        process.close("pid " + process.pid() + ", " + host());
    }

    @Override
    public void close() {
        stop();
    }

    /** Options of a registry to start. */
    public static final class Builder {
        private final Path dataDir;
        private boolean tls;
        private Auth auth = Auth.NONE;
        private String username;
        private String password;

        private Builder(Path dataDir) {
            this.dataDir = dataDir.toAbsolutePath().normalize();
        }

        /** Serve HTTPS with a self-signed certificate for 127.0.0.1 and localhost, generated at start. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** Require HTTP basic auth for this user (htpasswd, bcrypt). */
        public Builder basicAuth(String user, String pass) {
            return auth(Auth.BASIC, user, pass);
        }

        /** Require bearer tokens from a local token server that issues them to this user (basic auth on the realm). */
        public Builder tokenAuth(String user, String pass) {
            return auth(Auth.TOKEN, user, pass);
        }

        private Builder auth(Auth kind, String user, String pass) {
            if (user == null || user.isBlank() || user.contains(":") || pass == null || pass.isEmpty()) {
                throw new IllegalArgumentException("registry auth needs a user name without ':' and a non-empty password");
            }
            this.auth = kind;
            this.username = user;
            this.password = pass;
            return this;
        }

        public EmbeddedRegistry start() {
            if (!available()) {
                throw new IllegalStateException(BINARY + " is missing: install the Debian package docker-registry");
            }
            Path log = dataDir.resolve("registry.log");
            TokenServer tokenServer = null;
            try {
                Files.createDirectories(dataDir.resolve("storage"));
                Path conf = dataDir.resolve("conf");
                Files.createDirectories(conf);
                int port = Processes.freePort();
                StringBuilder yaml = new StringBuilder(baseConfig(port));
                Path ca = null;
                if (tls) {
                    SelfSignedKeyPair cert = SelfSignedKeyPair.generate(conf, "tls", log);
                    ca = cert.certificate();
                    yaml.append("  tls:\n    certificate: ").append(cert.certificate()).append("\n    key: ")
                            .append(cert.key()).append('\n');
                }
                switch (auth) {
                    case NONE -> { }
                    case BASIC -> {
                        Path htpasswd = conf.resolve("htpasswd");
                        writeHtpasswd(htpasswd, username, password, log);
                        yaml.append("auth:\n  htpasswd:\n    realm: slipway-embedded\n    path: ").append(htpasswd).append('\n');
                    }
                    case TOKEN -> {
                        SelfSignedKeyPair signing = SelfSignedKeyPair.generate(conf, "token-signing", log);
                        tokenServer = TokenServer.start(signing, username, password);
                        yaml.append("auth:\n  token:\n    realm: ").append(tokenServer.realm())
                                .append("\n    service: ").append(TOKEN_SERVICE)
                                .append("\n    issuer: ").append(TOKEN_ISSUER)
                                .append("\n    rootcertbundle: ").append(signing.certificate()).append('\n');
                    }
                }
                Path config = conf.resolve("config.yml");
                Files.writeString(config, yaml);
                Files.writeString(log, System.lineSeparator() + "=== slipway: starting the registry on " + Processes.LOOPBACK
                        + ":" + port + " (" + (tls ? "TLS" : "plain HTTP") + ", auth " + auth + ") ===" + System.lineSeparator(),
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                TokenServer tokens = tokenServer;
                ServerProcess process = ServerProcess.start("the registry", new ProcessBuilder(BINARY, "serve", config.toString())
                        .directory(dataDir.toFile()), log, null, STOP_TIMEOUT, p -> {
                            if (tokens != null) {
                                tokens.stop();
                            }
                        });
                tokenServer = null; // stopped with the process from here on
                process.awaitReady(START_TIMEOUT, Duration.ofMillis(50), "on " + Processes.LOOPBACK + ":" + port, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(Processes.LOOPBACK, port), 500);
                    }
                });
                return new EmbeddedRegistry(this, log, port, ca, process, tokens);
            } catch (IOException e) {
                if (tokenServer != null) {
                    tokenServer.stop();
                }
                throw new IllegalStateException(Processes.describeFailure("could not start the registry in " + dataDir + ": " + e, log), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the registry in " + dataDir, e);
            }
        }

        private String baseConfig(int port) {
            // upload purging and the storage health check only add background work a short-lived test registry never needs
            return "version: 0.1\n"
                    + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                    + "storage:\n  filesystem:\n    rootdirectory: " + dataDir.resolve("storage") + "\n"
                    + "  delete:\n    enabled: true\n"
                    + "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                    + "health:\n  storagedriver:\n    enabled: false\n"
                    + "http:\n  addr: " + Processes.LOOPBACK + ":" + port + "\n"
                    + "  secret: " + randomHex(24) + "\n";
        }
    }

    /** {@code bytes} random bytes in hex: passwords and secrets of the embedded servers' own files. */
    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** bcrypt, the only hash distribution's htpasswd accepts; the password goes through stdin, never the command line. */
    private static void writeHtpasswd(Path file, String user, String pass, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("htpasswd", "-niB", user).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write((pass + "\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] line;
        try (InputStream out = p.getInputStream()) {
            line = out.readAllBytes();
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("htpasswd failed for user " + user + " (install the Debian package apache2-utils)");
        }
        Files.write(file, line);
    }

    /**
     * The token endpoint of the distribution token flow: a client that got a Bearer challenge asks
     * {@code GET realm?service=..&scope=repository:name:pull,push} (basic auth for a named user) and receives a JWT
     * (RS256, the signing certificate in {@code x5c}) granting the requested actions to the known user. An anonymous
     * request gets a token that grants nothing, as public registries do for private repositories; wrong credentials get 401.
     */
    private static final class TokenServer {
        private final HttpServer server;
        private final SelfSignedKeyPair signing;
        private final String user;
        private final String pass;
        private final AtomicInteger issued = new AtomicInteger();

        private TokenServer(HttpServer server, SelfSignedKeyPair signing, String user, String pass) {
            this.server = server;
            this.signing = signing;
            this.user = user;
            this.pass = pass;
        }

        static TokenServer start(SelfSignedKeyPair signing, String user, String pass) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(Processes.LOOPBACK), 0), 16);
            TokenServer ts = new TokenServer(server, signing, user, pass);
            server.createContext("/token", ts::handle);
            server.setExecutor(null);
            server.start();
            return ts;
        }

        String realm() {
            return "http://" + Processes.LOOPBACK + ":" + server.getAddress().getPort() + "/token";
        }

        void stop() {
            server.stop(0);
        }

        private void handle(HttpExchange ex) throws IOException {
            try (ex) {
                String subject = authenticate(ex.getRequestHeaders().getFirst("Authorization"));
                if (subject == null) {
                    ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"slipway-embedded-token\"");
                    respond(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                    return;
                }
                String service = null;
                List<String> scopes = new ArrayList<>();
                String query = ex.getRequestURI().getRawQuery();
                for (String pair : query == null ? new String[0] : query.split("&")) {
                    int eq = pair.indexOf('=');
                    String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    if (key.equals("service")) {
                        service = value;
                    } else if (key.equals("scope")) {
                        scopes.addAll(List.of(value.split(" ")));
                    }
                }
                if (!TOKEN_SERVICE.equals(service)) {
                    respond(ex, 400, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"unknown service\"}]}");
                    return;
                }
                String token = sign(subject, subject.isEmpty() ? List.of() : scopes);
                issued.incrementAndGet();
                respond(ex, 200, "{\"token\":\"" + token + "\",\"access_token\":\"" + token + "\",\"expires_in\":300,"
                        + "\"issued_at\":\"" + Instant.now() + "\"}");
            } catch (RuntimeException | java.security.GeneralSecurityException e) {
                respond(ex, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"token server failed\"}]}");
            }
        }

        /** "" for an anonymous request, the user for good credentials, null for bad ones. */
        private String authenticate(String header) {
            if (header == null) {
                return "";
            }
            if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return null;
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            boolean ok = MessageDigest.isEqual(decoded.getBytes(StandardCharsets.UTF_8),
                    (user + ":" + pass).getBytes(StandardCharsets.UTF_8));
            return ok ? user : null;
        }

        private String sign(String subject, List<String> scopes) throws java.security.GeneralSecurityException {
            StringBuilder access = new StringBuilder();
            for (String scope : scopes) {
                String[] parts = scope.split(":");
                if (parts.length < 3) {
                    continue;
                }
                // the name may itself hold a colon (a registry host with a port); type first, actions last
                String name = String.join(":", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1));
                StringBuilder actions = new StringBuilder();
                for (String action : parts[parts.length - 1].split(",")) {
                    actions.append(actions.isEmpty() ? "" : ",").append('"').append(jsonSafe(action)).append('"');
                }
                access.append(access.isEmpty() ? "" : ",").append("{\"type\":\"").append(jsonSafe(parts[0]))
                        .append("\",\"name\":\"").append(jsonSafe(name)).append("\",\"actions\":[").append(actions).append("]}");
            }
            long now = Instant.now().getEpochSecond();
            String header = "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\""
                    + Base64.getEncoder().encodeToString(signing.x509().getEncoded()) + "\"]}";
            String claims = "{\"iss\":\"" + TOKEN_ISSUER + "\",\"sub\":\"" + jsonSafe(subject) + "\",\"aud\":\"" + TOKEN_SERVICE
                    + "\",\"exp\":" + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now
                    + ",\"jti\":\"" + randomHex(8) + "\",\"access\":[" + access + "]}";
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(signing.privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(rsa.sign());
        }

        private static String jsonSafe(String s) {
            return Objects.requireNonNull(s).replace("\\", "\\\\").replace("\"", "\\\"");
        }

        private static void respond(HttpExchange ex, int status, String json) {
            try {
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
