package io.slipway.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Host keys pinned on first contact (trust on first use) and kept in a file of {@code host:port keytype base64}
 * lines. A host that later shows another key is refused: that is either a reinstalled host or a machine in the
 * middle, and only a person can tell which (by removing the line).
 */
public final class HostKeyStore implements ServerKeyVerifier {
    /** Set when the verifier refused a changed key, so the connect failure can say so. */
    static final AttributeKey<String> REFUSAL = new AttributeKey<>();

    private final Path file;
    private final Map<String, String> keys = new LinkedHashMap<>();

    private HostKeyStore(Path file) {
        this.file = file;
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    int space = l.indexOf(' ');
                    if (!l.isEmpty() && !l.startsWith("#") && space > 0) {
                        keys.put(l.substring(0, space), l.substring(space + 1));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pinned host keys " + file + ": " + e.getMessage(), e);
        }
    }

    public static HostKeyStore at(Path file) {
        return new HostKeyStore(file);
    }

    public Path file() {
        return file;
    }

    /** The pinned key of host:port ({@code keytype base64}), if any. */
    public synchronized Optional<String> pinned(String host, int port) {
        return Optional.ofNullable(keys.get(host + ":" + port));
    }

    /** Forgets a host's key (a reinstalled host), so the next contact pins its new one. */
    public synchronized void forget(String host, int port) {
        if (keys.remove(host + ":" + port) != null) {
            save();
        }
    }

    /**
     * Pins {@code entry} ({@code keytype base64}, as OpenSSH writes a public key) for host:port before any contact,
     * replacing what was pinned: the caller learned the key from a source it trusts more than a first answer (the
     * provisioner that made the machine read it), and an address a provider gives out again is a new machine. Answers
     * whether the pin changed (sessions opened under the former one are then to another machine).
     */
    public synchronized boolean pin(String host, int port, String entry) {
        String e = entry == null ? "" : entry.strip();
        int space = e.indexOf(' ');
        if (space <= 0 || e.indexOf(' ', space + 1) >= 0) {
            throw new IllegalArgumentException("a host key is 'keytype base64', got " + (e.isEmpty() ? "nothing" : "'" + e.split(" ")[0] + " ...'"));
        }
        String id = host + ":" + port;
        if (e.equals(keys.get(id))) {
            return false;
        }
        keys.put(id, e);
        save();
        return true;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        String id = hostId(session.getConnectAddress() != null ? session.getConnectAddress() : remote);
        String entry = PublicKeyEntry.toString(key);
        synchronized (this) {
            String known = keys.get(id);
            if (known == null) {
                keys.put(id, entry);
                save();
                return true;
            }
            if (known.equals(entry)) {
                return true;
            }
            session.setAttribute(REFUSAL, "host key changed: pinned " + fingerprint(known) + ", offered "
                    + KeyUtils.getFingerPrint(key) + " (" + KeyUtils.getKeyType(key) + "). If the host was reinstalled, remove the line for "
                    + id + " from " + file + "; otherwise something is answering in its place");
            return false;
        }
    }

    /** host:port as the target named it (not the resolved address), so pins follow the names users write. */
    static String hostId(SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet) {
            return inet.getHostString() + ":" + inet.getPort();
        }
        if (address instanceof org.apache.sshd.common.util.net.SshdSocketAddress sshd) {
            return sshd.getHostName() + ":" + sshd.getPort();
        }
        return String.valueOf(address);
    }

    private static String fingerprint(String entry) {
        try {
            PublicKey key = PublicKeyEntry.parsePublicKeyEntry(entry).resolvePublicKey(null, Map.of(), null);
            return KeyUtils.getFingerPrint(key) + " (" + KeyUtils.getKeyType(key) + ")";
        } catch (Exception e) {
            return entry.substring(0, Math.min(entry.length(), 40)) + "...";
        }
    }

    private void save() {
        List<String> lines = new ArrayList<>();
        keys.forEach((k, v) -> lines.add(k + " " + v));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system: the file is not secret, only its integrity matters
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record pinned host keys in " + file + ": " + e.getMessage(), e);
        }
    }
}
