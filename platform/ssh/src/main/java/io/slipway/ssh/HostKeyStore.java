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
 * Host keys, kept in a file of {@code host:port keytype base64} lines, checked during the key exchange: before any
 * credential is sent, since authentication only starts once the host proved it holds the key.
 * <ul>
 * <li>A pinned key (or a pinned {@code SHA256:} fingerprint, replaced by the full key on first contact) is the only one
 * accepted. A host that shows another is refused: a reinstalled host or a machine in the middle, and only a person can
 * tell which (by pinning the new key, or removing the line).</li>
 * <li>A host with no pin is refused, unless trust on first use was allowed for it ({@link #allowFirstUse}, kept in the
 * file as {@code host:port @first-use} until the first contact pins what the host showed), or the whole store trusts
 * first use ({@link #trustingFirstUse}: tests and benchmarks on hosts they made).</li>
 * </ul>
 */
public final class HostKeyStore implements ServerKeyVerifier {
    /** Set when the verifier refused a key, so the connect failure can say why. */
    static final AttributeKey<Refusal> REFUSAL = new AttributeKey<>();
    /**
     * The same refusals by session: a session clears its attributes once it has closed, and one the server closed right
     * after the refused key exchange can be closed before the connect failure is read; it would then look unreachable.
     */
    private final Map<ClientSession, Refusal> refusals = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    /** The line value of a host allowed trust on first use that has not been contacted yet. */
    static final String FIRST_USE = "@first-use";
    private static final java.util.regex.Pattern FINGERPRINT = java.util.regex.Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    record Refusal(SshException.Kind kind, String message) {
    }

    private final Path file;
    private final boolean trustAll;
    private final Map<String, String> keys = new LinkedHashMap<>();
    /** What the file was (identity, time, size) when {@link #keys} were read from it. */
    private String loaded = "";

    private HostKeyStore(Path file, boolean trustAll) {
        this.file = file;
        this.trustAll = trustAll;
        reload();
    }

    /**
     * Reads the file again when another process replaced it since it was read (two instances of deploy-svc on one
     * volume: a host one of them pinned is pinned for the other too). Writes replace the file by a rename, so its
     * identity and time tell.
     */
    private void refresh() {
        if (!stamp().equals(loaded)) {
            reload();
        }
    }

    private String stamp() {
        try {
            var a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return a.fileKey() + " " + a.lastModifiedTime().toMillis() + " " + a.size();
        } catch (java.nio.file.NoSuchFileException e) {
            return "none";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pinned host keys " + file + ": " + e.getMessage(), e);
        }
    }

    private void reload() {
        try {
            String stamp = stamp();
            keys.clear();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String l = line.strip();
                    int space = l.indexOf(' ');
                    if (!l.isEmpty() && !l.startsWith("#") && space > 0) {
                        keys.put(l.substring(0, space), l.substring(space + 1));
                    }
                }
            }
            loaded = stamp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pinned host keys " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * A change of the pins: under a file lock (another process may change them too), on what the file holds now, then
     * written back. {@code change} answers whether it changed anything (then the file is written).
     */
    private <T> T changing(java.util.function.Supplier<T> change, java.util.function.Predicate<T> changed) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 java.nio.channels.FileLock ignored = channel.lock()) {
                reload();
                T result = change.get();
                if (changed.test(result)) {
                    save();
                    loaded = stamp();
                }
                return result;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record pinned host keys in " + file + ": " + e.getMessage(), e);
        }
    }

    /** A store that refuses hosts with no pin unless {@link #allowFirstUse} was called for them. */
    public static HostKeyStore at(Path file) {
        return new HostKeyStore(file, false);
    }

    /** A store that pins whatever key an unknown host shows: only for hosts the caller made itself (tests, benchmarks). */
    public static HostKeyStore trustingFirstUse(Path file) {
        return new HostKeyStore(file, true);
    }

    public Path file() {
        return file;
    }

    /** The pinned key of host:port ({@code keytype base64}, or a {@code SHA256:} fingerprint not yet met), if any. */
    public synchronized Optional<String> pinned(String host, int port) {
        refresh();
        return Optional.ofNullable(keys.get(host + ":" + port)).filter(k -> !k.equals(FIRST_USE));
    }

    /** Whether a connection to host:port can be made: its key is pinned, or first use is trusted for it. */
    public synchronized boolean admits(String host, int port) {
        refresh();
        return trustAll || keys.containsKey(host + ":" + port);
    }

    /**
     * Lets the first contact with host:port pin whatever key it shows (the operator asked for trust on first use). A host
     * already pinned keeps its pin: trust on first use never overrides a known key.
     */
    public synchronized void allowFirstUse(String host, int port) {
        changing(() -> keys.putIfAbsent(host + ":" + port, FIRST_USE) == null, added -> added);
    }

    /** Forgets a host's key (a reinstalled host), so the next contact pins its new one. */
    public synchronized void forget(String host, int port) {
        changing(() -> keys.remove(host + ":" + port) != null, removed -> removed);
    }

    /**
     * Pins {@code entry} ({@code keytype base64}, as OpenSSH writes a public key) for host:port before any contact,
     * replacing what was pinned: the caller learned the key from a source it trusts more than a first answer (the
     * provisioner that made the machine read it), and an address a provider gives out again is a new machine. Answers
     * whether the pin changed (sessions opened under the former one are then to another machine).
     */
    public synchronized boolean pin(String host, int port, String entry) {
        String e = normalized(entry);
        String id = host + ":" + port;
        return changing(() -> {
            String known = keys.get(id);
            if (e.equals(known) || known != null && !known.equals(FIRST_USE) && e.equals(fingerprint(known).split(" ")[0])) {
                return false; // the same key, or the fingerprint of the key already pinned
            }
            keys.put(id, e);
            return true;
        }, pinned -> pinned);
    }

    /**
     * A host key as an operator gives it: {@code keytype base64} (a line of {@code ssh-keyscan} or a {@code .pub} file,
     * with or without its host name in front or its comment behind) or a {@code SHA256:} fingerprint as
     * {@code ssh-keygen -l} prints it. Answers the form kept in the file, or says what is wrong with it.
     */
    public static String normalized(String given) {
        String e = given == null ? "" : given.strip();
        if (FINGERPRINT.matcher(e).matches()) {
            return e;
        }
        String[] words = e.split("\\s+");
        for (int i = 0; i + 1 < words.length; i++) {
            try {
                PublicKey key = PublicKeyEntry.parsePublicKeyEntry(words[i] + " " + words[i + 1]).resolvePublicKey(null, Map.of(), null);
                if (key != null) {
                    return PublicKeyEntry.toString(key);
                }
            } catch (Exception notThisPair) {
                // a host name or a comment: try the next pair of words
            }
        }
        throw new IllegalArgumentException("a host key is 'keytype base64' (as ssh-keyscan prints it) or a SHA256: fingerprint (as "
                + "ssh-keygen -l prints it), got " + (e.isEmpty() ? "nothing" : "'" + e.substring(0, Math.min(e.length(), 24)) + "...'"));
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
        String id = hostId(session.getConnectAddress() != null ? session.getConnectAddress() : remote);
        String entry = PublicKeyEntry.toString(key);
        String offered = KeyUtils.getFingerPrint(key);
        synchronized (this) {
            refresh();
            String known = keys.get(id);
            if (known == null && !trustAll) {
                refuse(session, new Refusal(SshException.Kind.HOST_KEY_UNKNOWN, "no host key is pinned for " + id
                        + " and trust on first use was not asked for it, so no credential was sent (it offered " + offered + " ("
                        + KeyUtils.getKeyType(key) + ")): give the host's key (ssh-keyscan) or fingerprint (ssh-keygen -l), or allow "
                        + "trust on first use for it"));
                return false;
            }
            if (known == null || known.equals(FIRST_USE) || known.equals(offered)) {
                // pinned on what the file holds now: another process may have pinned this host meanwhile
                return changing(() -> {
                    String now = keys.get(id);
                    if (now == null || now.equals(FIRST_USE) || now.equals(offered)) {
                        keys.put(id, entry);
                        return true;
                    }
                    return now.equals(entry);
                }, accepted -> accepted);
            }
            if (known.equals(entry)) {
                return true;
            }
            refuse(session, new Refusal(SshException.Kind.HOST_KEY_CHANGED, "host key changed: pinned " + fingerprint(known)
                    + ", offered " + offered + " (" + KeyUtils.getKeyType(key) + "). If the host was reinstalled, pin its new key or remove "
                    + "the line for " + id + " from " + file + "; otherwise something is answering in its place"));
            return false;
        }
    }

    private void refuse(ClientSession session, Refusal refusal) {
        session.setAttribute(REFUSAL, refusal);
        refusals.put(session, refusal);
    }

    /** Why this store refused {@code session}'s host key, or null if it did not. */
    Refusal refusalOf(ClientSession session) {
        Refusal r = session.getAttribute(REFUSAL);
        Refusal kept = refusals.remove(session);
        return r != null ? r : kept;
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
        if (FINGERPRINT.matcher(entry).matches()) {
            return entry;
        }
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
