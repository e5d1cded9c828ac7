package io.slipway.ssh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands and sends files on hosts over SSH (Apache MINA SSHD): sessions pooled per target, host keys pinned,
 * sudo for non-root users, a timeout per command, bounded parallelism across hosts, and retries with backoff and
 * jitter for transient faults only (refused, reset, timed out before the command started). Uploads are verified by
 * sha256 on arrival and resume a cut transfer from what the host already has.
 */
public final class SshEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshEngine.class);
    private static final int CHUNK = 1 << 20;
    /** OpenSSL's sha256 uses the CPU's SHA extensions (4x coreutils' sha256sum here); sha256sum where it is missing. */
    private static final String HASH = "if command -v openssl >/dev/null 2>&1; then H='openssl dgst -sha256 -r'; else H=sha256sum; fi; ";
    /** OpenSSH allows 10 channels per connection by default (MaxSessions); stay under it. */
    private static final int CHANNELS_PER_SESSION = 8;

    static {
        // With BouncyCastle on the classpath MINA would take it for ciphers, MACs and digests: pure Java, several times
        // slower than the JDK's AES-GCM on AES-NI. Keep BouncyCastle for what only it reads (ed25519 keys) and leave
        // bulk crypto to the JDK, unless the deployment says otherwise.
        for (String entity : List.of("Cipher", "Mac", "MessageDigest")) {
            String property = "org.apache.sshd.security.provider.BC." + entity;
            if (System.getProperty(property) == null) {
                System.setProperty(property, "none");
            }
        }
    }

    private final SshClient client;
    private final HostKeyStore hostKeys;
    private final int parallelism;
    private final Duration connectTimeout;
    private final SshRetry retry;
    private final Map<String, Pooled> sessions = new ConcurrentHashMap<>();
    private final Map<String, Object> connectLocks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> sudoPassword = new ConcurrentHashMap<>();

    private record Pooled(ClientSession session, Semaphore channels) {
    }

    private SshEngine(Builder b) {
        this.hostKeys = b.hostKeys;
        this.parallelism = b.parallelism;
        this.connectTimeout = b.connectTimeout;
        this.retry = b.retry;
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(hostKeys);
        // AES-GCM first: the JDK runs it on AES-NI/CLMUL, several times the throughput of CTR with a separate HMAC
        client.setCipherFactories(new ArrayList<>(List.of(org.apache.sshd.common.cipher.BuiltinCiphers.aes128gcm,
                org.apache.sshd.common.cipher.BuiltinCiphers.aes256gcm, org.apache.sshd.common.cipher.BuiltinCiphers.cc20p1305_openssh,
                org.apache.sshd.common.cipher.BuiltinCiphers.aes128ctr, org.apache.sshd.common.cipher.BuiltinCiphers.aes256ctr)));
        // no agent, no ~/.ssh of the user running the service: only the credentials a target names
        client.setKeyIdentityProvider(session -> List.of());
        client.setPasswordIdentityProvider(session -> List.of());
        // a host whose link died mid-command would otherwise hold the command until its timeout (minutes for a hook):
        // keep-alives that go unanswered close the session, and the command fails as a transient fault
        org.apache.sshd.core.CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, b.keepAlive);
        org.apache.sshd.core.CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, b.keepAlive);
        org.apache.sshd.core.CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, b.keepAliveMissed);
        client.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs {@code command} (a shell script) on the host, as root through sudo when the user is not root. */
    public SshResult exec(SshTarget t, String command, Duration timeout) throws SshException {
        return exec(t, command, null, timeout);
    }

    public SshResult exec(SshTarget t, String command, InputStream stdin, Duration timeout) throws SshException {
        return withChannel(t, command, timeout, ch -> {
            if (stdin != null) {
                try (OutputStream in = ch.getInvertedIn()) {
                    stdin.transferTo(in);
                }
            } else {
                ch.getInvertedIn().close();
            }
        });
    }

    /**
     * Sends {@code local} to {@code remotePath} (parent dirs created): into {@code remotePath.part}, resuming from what is
     * there when it is a prefix of the file, checked by sha256 on the host, then renamed into place. A mismatch restarts
     * the transfer once, then fails TRANSFER_CORRUPT; a cut connection resumes on the next attempt.
     */
    public Upload upload(SshTarget t, Path local, String remotePath, String sha256Hex, TransferListener listener) throws SshException {
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        String sha;
        long size;
        try {
            size = Files.size(local);
            sha = sha256Hex != null ? sha256Hex : sha256(local, size);
        } catch (IOException e) {
            throw new SshException(SshException.Kind.IO, t.host(), "cannot read " + local + ": " + e.getMessage(), e);
        }
        String part = remotePath + ".part";
        int corrupt = 0;
        long sent = 0;
        long skipped = 0;
        boolean resumed = false;
        for (int attempt = 1; ; attempt++) {
            try {
                long offset = resumableOffset(t, local, remotePath, part, size);
                if (offset > 0) {
                    resumed = true;
                    skipped = Math.max(skipped, offset);
                }
                // the host hashes what it receives as it writes it (tee), then keeps the file only if the digest matches
                Sent result = send(t, local, part, remotePath, sha, offset, size, progress);
                sent += result.bytes();
                if (result.verdict().equals("OK")) {
                    return new Upload(sent, skipped, resumed);
                }
                if (++corrupt > 1) {
                    throw new SshException(SshException.Kind.TRANSFER_CORRUPT, t.host(), remotePath + " arrived with sha256 "
                            + result.verdict().substring(4) + " instead of " + sha + " twice");
                }
                LOG.warn("{}: {} arrived corrupt; sending it again", t.host(), remotePath);
            } catch (SshException e) {
                if (!e.transientFault() || attempt >= retry.attempts()) {
                    throw e;
                }
                pause(t, attempt, e);
            }
        }
    }

    /** Runs {@code task} on each target, at most {@code parallelism} at once; one host's failure does not stop the others. */
    public <R> Map<SshTarget, Outcome<R>> onEach(Collection<SshTarget> targets, SshTask<R> task) {
        Map<SshTarget, Future<R>> futures = new LinkedHashMap<>();
        Semaphore slots = new Semaphore(parallelism);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SshTarget t : targets) {
                futures.put(t, pool.submit(() -> {
                    slots.acquire();
                    try {
                        return task.run(t);
                    } finally {
                        slots.release();
                    }
                }));
            }
            Map<SshTarget, Outcome<R>> results = new LinkedHashMap<>();
            futures.forEach((t, f) -> {
                try {
                    results.put(t, new Outcome<>(f.get(), null));
                } catch (ExecutionException e) {
                    SshException failure = e.getCause() instanceof SshException s ? s
                            : new SshException(SshException.Kind.IO, t.host(), String.valueOf(e.getCause()), e.getCause());
                    results.put(t, new Outcome<>(null, failure));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    results.put(t, new Outcome<>(null, new SshException(SshException.Kind.IO, t.host(), "interrupted")));
                }
            });
            return results;
        }
    }

    /** Closes the pooled session of a target (the next command opens a new one). */
    public void evict(SshTarget t) {
        Pooled p = sessions.remove(key(t));
        if (p != null) {
            p.session().close(true);
        }
    }

    /**
     * Closes every pooled session to host:port, whoever logged in: the machine answering there is not the one they were
     * opened to (its key was pinned anew, or it was given back to its provider).
     */
    public void evictHost(String host, int port) {
        String at = "@" + host + ":" + port + "#";
        sessions.entrySet().removeIf(e -> {
            if (e.getKey().contains(at)) {
                e.getValue().session().close(true);
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        sessions.values().forEach(p -> p.session().close(true));
        sessions.clear();
        client.stop();
    }

    private interface StdinWriter {
        void write(ChannelExec channel) throws IOException;
    }

    private SshResult withChannel(SshTarget t, String command, Duration timeout, StdinWriter stdin) throws SshException {
        boolean sendPassword = t.sudo() == SudoMode.PASSWORD && t.auth().sudoPassword() != null && sudoAsksPassword(t);
        return withChannel(t, command, timeout, stdin, sendPassword);
    }

    private SshResult withChannel(SshTarget t, String command, Duration timeout, StdinWriter stdin, boolean sendPassword)
            throws SshException {
        String wrapped = wrap(t, command, sendPassword);
        for (int attempt = 1; ; attempt++) {
            Pooled pooled;
            ChannelExec ch;
            try {
                pooled = session(t);
                pooled.channels().acquireUninterruptibly();
                try {
                    ch = pooled.session().createExecChannel(wrapped);
                    ch.open().verify(connectTimeout.toMillis());
                } catch (IOException | RuntimeException e) {
                    pooled.channels().release();
                    sessions.remove(key(t), pooled);
                    pooled.session().close(true);
                    throw new SshException(SshException.Kind.UNREACHABLE, t.host(), "session lost before the command started: " + reason(e), e);
                }
            } catch (SshException e) {
                if (!e.transientFault() || attempt >= retry.attempts()) {
                    throw e;
                }
                pause(t, attempt, e);
                continue;
            }
            try {
                return run(t, ch, timeout, stdin, sendPassword);
            } finally {
                pooled.channels().release();
            }
        }
    }

    /**
     * Whether sudo on this host asks the user's password (probed once per target with {@code sudo -n true}): when it
     * does not (NOPASSWD, or the user is root), the password must not be written, or it would become the command's stdin.
     */
    private boolean sudoAsksPassword(SshTarget t) throws SshException {
        Boolean known = sudoPassword.get(key(t));
        if (known != null) {
            return known;
        }
        SshTarget probe = new SshTarget(t.host(), t.port(), t.user(), t.auth(), SudoMode.NONE);
        boolean asks = !withChannel(probe, "sudo -n true 2>/dev/null", connectTimeout.multipliedBy(3), ch -> ch.getInvertedIn().close(), false).ok();
        sudoPassword.put(key(t), asks);
        return asks;
    }

    private SshResult run(SshTarget t, ChannelExec ch, Duration timeout, StdinWriter stdin, boolean sendPassword) throws SshException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ch) {
            Thread drain = Thread.ofVirtual().start(() -> pump(ch.getInvertedOut(), out));
            Thread drainErr = Thread.ofVirtual().start(() -> pump(ch.getInvertedErr(), err));
            if (sendPassword) {
                // sudo -S reads the password byte by byte up to the newline; what follows is the command's stdin
                OutputStream in = ch.getInvertedIn();
                in.write((t.auth().sudoPassword() + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            stdin.write(ch);
            Set<ClientChannelEvent> events = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout.toMillis());
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                ch.close(true);
                throw new SshException(SshException.Kind.TIMEOUT, t.host(), "command did not finish within " + timeout.toSeconds() + " s");
            }
            drain.join(5000);
            drainErr.join(5000);
            Integer status = ch.getExitStatus();
            if (status == null) {
                throw new SshException(SshException.Kind.IO, t.host(), "the connection closed before the command reported its exit status");
            }
            return new SshResult(t.host(), status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            evict(t);
            throw new SshException(SshException.Kind.IO, t.host(), "connection lost during the command: " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SshException(SshException.Kind.IO, t.host(), "interrupted");
        }
    }

    private static void pump(InputStream in, ByteArrayOutputStream to) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                synchronized (to) {
                    to.write(buffer, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the channel closed: the command's exit status tells the rest
        }
    }

    /** Wraps a script so it runs as root: through {@code sudo -n}, or {@code sudo -S} when sudo asks a password. */
    static String wrap(SshTarget t, String command, boolean sendPassword) {
        if (t.sudo() == SudoMode.NONE) {
            return command;
        }
        return (sendPassword ? "sudo -S -p '' sh -c " : "sudo -n sh -c ") + quote(command);
    }

    /** Single-quotes {@code s} for a POSIX shell. */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private long resumableOffset(SshTarget t, Path local, String remote, String part, long size) throws SshException {
        String dir = remote.contains("/") ? remote.substring(0, remote.lastIndexOf('/')) : ".";
        SshResult r = exec(t, "mkdir -p " + quote(dir.isEmpty() ? "/" : dir) + " && if [ -f " + quote(part) + " ]; then wc -c < "
                + quote(part) + "; " + HASH + "$H < " + quote(part) + " | cut -c1-64; fi", Duration.ofMinutes(2)).requireOk("prepare " + remote);
        String[] lines = r.stdout().strip().split("\n");
        if (lines.length < 2) {
            return 0;
        }
        long have = Long.parseLong(lines[0].strip());
        if (have <= 0 || have > size) {
            return 0;
        }
        try {
            return sha256(local, have).equals(lines[1].strip()) ? have : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private record Sent(long bytes, String verdict) {
    }

    private Sent send(SshTarget t, Path local, String part, String remote, String sha, long offset, long size, TransferListener progress)
            throws SshException {
        long[] sent = {0};
        String receive = offset > 0
                ? "{ head -c " + offset + " " + quote(part) + "; tee -a " + quote(part) + "; }"
                : "tee " + quote(part);
        String command = HASH + "h=$(" + receive + " | $H | cut -c1-64); if [ \"$h\" = " + quote(sha) + " ]; then mv -f " + quote(part)
                + " " + quote(remote) + " && echo OK; else rm -f " + quote(part) + "; echo \"BAD $h\"; fi";
        SshResult r = withChannel(t, command, Duration.ofHours(2), ch -> {
            try (InputStream in = Files.newInputStream(local); OutputStream out = ch.getInvertedIn()) {
                in.skipNBytes(offset);
                byte[] buffer = new byte[CHUNK];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    out.write(buffer, 0, n);
                    sent[0] += n;
                    progress.progress(t.host(), part, offset + sent[0], size);
                }
            }
        });
        r.requireOk("send " + remote);
        return new Sent(sent[0], r.stdout().strip());
    }

    private Pooled session(SshTarget t) throws SshException {
        String key = key(t);
        Pooled existing = sessions.get(key);
        if (existing != null && existing.session().isOpen() && existing.session().isAuthenticated()) {
            return existing;
        }
        synchronized (connectLocks.computeIfAbsent(key, k -> new Object())) {
            existing = sessions.get(key);
            if (existing != null && existing.session().isOpen() && existing.session().isAuthenticated()) {
                return existing;
            }
            if (existing != null) {
                sessions.remove(key);
                existing.session().close(true);
            }
            Pooled created = new Pooled(connect(t), new Semaphore(CHANNELS_PER_SESSION));
            sessions.put(key, created);
            return created;
        }
    }

    private ClientSession connect(SshTarget t) throws SshException {
        ClientSession session;
        try {
            ConnectFuture future = client.connect(t.user(), t.host(), t.port());
            future.verify(connectTimeout.toMillis());
            session = future.getSession();
        } catch (IOException | RuntimeException e) {
            throw new SshException(SshException.Kind.UNREACHABLE, t.host(), "cannot connect to port " + t.port() + ": " + reason(e), e);
        }
        try {
            switch (t.auth()) {
                case SshAuth.Password p -> session.addPasswordIdentity(p.password() == null ? "" : p.password());
                case SshAuth.PrivateKey k -> keys(t, Files.newInputStream(k.file()), k.file().toString(), k.passphrase())
                        .forEach(session::addPublicKeyIdentity);
                case SshAuth.PrivateKeyData d -> keys(t, new ByteArrayInputStream(d.pem().getBytes(StandardCharsets.UTF_8)), "inline key",
                        d.passphrase()).forEach(session::addPublicKeyIdentity);
            }
            session.auth().verify(connectTimeout.toMillis() * 2);
            return session;
        } catch (SshException e) {
            session.close(true);
            throw e;
        } catch (IOException | RuntimeException e) {
            HostKeyStore.Refusal refusal = hostKeys.refusalOf(session);
            session.close(true);
            if (refusal != null) {
                throw new SshException(refusal.kind(), t.host(), refusal.message());
            }
            String reason = reason(e);
            if (reason.contains("No more authentication methods") || reason.contains("authentication")) {
                throw new SshException(SshException.Kind.AUTH_FAILED, t.host(), "user " + t.user() + " was refused with "
                        + describe(t.auth()) + ": check the user and its " + describe(t.auth()));
            }
            throw new SshException(SshException.Kind.UNREACHABLE, t.host(), "SSH handshake failed: " + reason, e);
        }
    }

    private static Iterable<KeyPair> keys(SshTarget t, InputStream in, String name, String passphrase) throws SshException {
        try (in) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(name), in,
                    passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase));
            if (pairs == null || !pairs.iterator().hasNext()) {
                throw new SshException(SshException.Kind.AUTH_FAILED, t.host(), "no private key in " + name);
            }
            return pairs;
        } catch (SshException e) {
            throw e;
        } catch (Exception e) {
            throw new SshException(SshException.Kind.AUTH_FAILED, t.host(), "cannot read the private key " + name
                    + " (wrong passphrase or format?): " + e.getClass().getSimpleName());
        }
    }

    private static String describe(SshAuth auth) {
        return auth instanceof SshAuth.Password ? "password" : "private key";
    }

    private void pause(SshTarget t, int attempt, SshException e) throws SshException {
        Duration wait = retry.backoff(attempt);
        LOG.debug("{}: {} (attempt {} of {}), retrying in {} ms", t.host(), e.getMessage(), attempt, retry.attempts(), wait.toMillis());
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private static String key(SshTarget t) {
        return t.id() + "#" + t.auth().hashCode();
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectException || root instanceof NoRouteToHostException) {
            return root.getClass().getSimpleName() + " (" + root.getMessage() + ")";
        }
        if (root instanceof SocketTimeoutException || String.valueOf(root.getMessage()).contains("timeout")) {
            return "timed out";
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    static String sha256(Path file, long length) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            byte[] buffer = new byte[CHUNK];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    break;
                }
                left -= n;
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Settings; defaults suit a LAN of a few hundred hosts. */
    public static final class Builder {
        private HostKeyStore hostKeys;
        private int parallelism = 16;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private SshRetry retry = SshRetry.defaults();
        private Duration keepAlive = Duration.ofSeconds(5);
        private int keepAliveMissed = 3;

        /** A session whose keep-alives go unanswered {@code missed} times in a row ({@code interval} apart) is dead. */
        public Builder keepAlive(Duration interval, int missed) {
            this.keepAlive = interval;
            this.keepAliveMissed = Math.max(1, missed);
            return this;
        }

        public Builder hostKeys(HostKeyStore store) {
            this.hostKeys = store;
            return this;
        }

        public Builder parallelism(int hosts) {
            this.parallelism = Math.max(1, hosts);
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder retry(SshRetry policy) {
            this.retry = policy;
            return this;
        }

        public SshEngine build() {
            if (hostKeys == null) {
                throw new IllegalStateException("a HostKeyStore is required: host keys are always verified");
            }
            return new SshEngine(this);
        }
    }
}
