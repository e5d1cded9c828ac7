package io.slipway.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Registry logins kept for the service ({@code slipway login}): {@code auth.json} in a given directory, readable by
 * its owner only (0600), in the shape docker and skopeo read ({@code {"auths":{"host":{"auth":"base64(user:pass)"}}}}).
 * A store {@link #sealedIn sealed} with a service's key keeps {@code {"sealed":"sealed:v1:..."}} instead of
 * {@code auth}, so a copy of the file (a backup, a volume snapshot) holds no usable login; it reads plain entries
 * written before and seals them when it opens. Writes are atomic; secrets never appear in messages.
 */
public final class CredentialStore {

    public static final String FILE_NAME = "auth.json";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Seals and opens one login's {@code user:password} (a service's secret box, bound to this use). */
    public interface Sealer {
        String seal(String plain);

        String open(String sealed);
    }

    private final Path file;
    private final Sealer sealer;

    private CredentialStore(Path file, Sealer sealer) {
        this.file = file;
        this.sealer = sealer;
    }

    /** Logins in docker's own shape, which docker and skopeo read as they are. */
    public static CredentialStore in(Path dir) {
        return new CredentialStore(dir.toAbsolutePath().resolve(FILE_NAME), null);
    }

    /** Logins sealed by {@code sealer}; plain entries already in the file are sealed now. */
    public static CredentialStore sealedIn(Path dir, Sealer sealer) throws IOException {
        CredentialStore store = new CredentialStore(dir.toAbsolutePath().resolve(FILE_NAME), sealer);
        synchronized (store) {
            ObjectNode root = store.read();
            if (root.path("auths").properties().stream().anyMatch(e -> e.getValue().has("auth"))) {
                store.write(root);
            }
        }
        return store;
    }

    public Path file() {
        return file;
    }

    public synchronized void login(String registry, Credentials credentials) throws IOException {
        ObjectNode root = read();
        ObjectNode auths = root.withObjectProperty("auths");
        String auth = Base64.getEncoder().encodeToString(
                (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        auths.putObject(normalize(registry)).put("auth", auth);
        write(root);
    }

    /** Forgets the login of {@code registry}; false when there was none. */
    public synchronized boolean logout(String registry) throws IOException {
        ObjectNode root = read();
        JsonNode auths = root.get("auths");
        if (!(auths instanceof ObjectNode o) || o.remove(normalize(registry)) == null) {
            return false;
        }
        write(root);
        return true;
    }

    public synchronized Optional<Credentials> find(String registry) throws IOException {
        JsonNode entry = read().path("auths").path(normalize(registry));
        String auth = entry.has("sealed") && sealer != null ? openSealed(entry.path("sealed").asText(""), registry) : entry.path("auth").asText("");
        if (auth.isEmpty()) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": the login of " + registry + " is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            throw new IOException(file + ": the login of " + registry + " has no user:password form");
        }
        return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
    }

    /** The registries with a stored login. */
    public synchronized Set<String> registries() throws IOException {
        Set<String> hosts = new TreeSet<>();
        for (Iterator<String> it = read().path("auths").fieldNames(); it.hasNext(); ) {
            hosts.add(it.next());
        }
        return hosts;
    }

    @Override
    public String toString() {
        return "CredentialStore[" + file + "]";
    }

    private static String normalize(String registry) {
        String r = registry.trim();
        r = r.replaceFirst("^https?://", "");
        if (r.endsWith("/")) {
            r = r.substring(0, r.length() - 1);
        }
        return r.equals("index.docker.io") || r.equals("registry-1.docker.io") ? "docker.io" : r;
    }

    private ObjectNode read() throws IOException {
        if (!Files.exists(file)) {
            return Json.mapper().createObjectNode();
        }
        JsonNode node;
        try {
            node = Json.mapper().readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the parser's message quotes file content, which may be a secret
            throw new IOException(file + " is not valid JSON (line " + e.getLocation().getLineNr() + ")");
        }
        if (!(node instanceof ObjectNode o)) {
            throw new IOException(file + " must hold a JSON object");
        }
        return o;
    }

    private String openSealed(String sealed, String registry) throws IOException {
        try {
            return sealer.open(sealed);
        } catch (RuntimeException e) {
            throw new IOException(file + ": the login of " + registry + " does not open with this service's key (was the key replaced?)");
        }
    }

    /** Writes {@code root}, each plain {@code auth} sealed first when this store seals. */
    private void write(ObjectNode root) throws IOException {
        if (sealer != null && root.get("auths") instanceof ObjectNode auths) {
            for (var e : auths.properties()) {
                if (e.getValue() instanceof ObjectNode entry && entry.has("auth")) {
                    entry.put("sealed", sealer.seal(entry.remove("auth").asText()));
                }
            }
        }
        Files.createDirectories(file.getParent());
        Path part = Files.createTempFile(file.getParent(), ".auth-", ".part", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.write(part, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            try {
                Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        } finally {
            Files.deleteIfExists(part);
        }
    }
}
