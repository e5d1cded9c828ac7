package io.slipway.testkit.hosts;

import io.slipway.provision.local.EmbeddedSshHost;
import io.slipway.provision.local.MachineClaims;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * A {@link HostFleet.Kind#EMBEDDED} fleet: {@link EmbeddedHost}s on 127.231.x.0/24 (every 127/8 address is this
 * machine's loopback, so no root is needed to listen on one), x claimed among the fleets of all JVMs. The client key
 * and the password are the fleet's own, and the servers accept them for root, the operator and the password user.
 */
final class EmbeddedFleet extends HostFleet {
    static final MachineClaims STATE = MachineClaims.embedded();
    private static volatile Boolean available;

    private final int net;
    private final PublicKey clientPublicKey;
    private final String password;

    EmbeddedFleet(int count) {
        this(STATE.claimFleetAfterCleaning("net", EmbeddedFleet::teardown), count);
    }

    private EmbeddedFleet(String id, int count) {
        super(id, STATE.fleetDir(id));
        try {
            this.net = STATE.claimSlot("net", id, EmbeddedFleet::unused);
            this.clientPublicKey = writeClientKey(clientKey());
            this.password = "Pw-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            writeSudo();
            addHosts(count);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot set up embedded test hosts: " + e.getMessage(), e);
        }
    }

    /** Whether nothing listens on the first hosts' addresses of 127.231.x.0/24 (a claim is per JVM, a port per machine). */
    private static boolean unused(int x) {
        for (int n = 1; n <= 4; n++) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress("127.231." + x + "." + (10 + n), EmbeddedHost.PORT));
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    /** True when this machine lets the current user make a user and mount namespace (and has nsenter to enter it). */
    static boolean canRun() {
        Boolean known = available;
        if (known == null) {
            available = known = EmbeddedSshHost.canRun();
        }
        return known;
    }

    @Override
    public Kind kind() {
        return Kind.EMBEDDED;
    }

    @Override
    public String password() {
        return password;
    }

    Path binDir() {
        return dir().resolve("bin");
    }

    boolean acceptsKey(String user, PublicKey key) {
        return ("root".equals(user) || OPERATOR.equals(user)) && KeyUtils.compareKeys(clientPublicKey, key);
    }

    boolean acceptsPassword(String user, String given) {
        return PASSWORD_USER.equals(user) && given != null
                && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    TestHost startHost(int n) throws IOException {
        String name = "slwe" + id() + "h" + n;
        String address = "127.231." + net + "." + (10 + n);
        Path hostDir = Files.createDirectories(dir().resolve(name));
        Path keys = Files.createDirectories(STATE.root().resolve("host-keys"));
        EmbeddedHost host = new EmbeddedHost(this, name, address, hostDir, keys.resolve(address));
        try {
            host.start();
        } catch (IOException | RuntimeException e) {
            host.stop();
            throw e;
        }
        return host;
    }

    private static PublicKey writeClientKey(Path file) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "slipway-test-client", null, out);
        }
        try (OutputStream out = Files.newOutputStream(Path.of(file + ".pub"))) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePublicKey(pair.getPublic(), "slipway-test-client", out);
        }
        return pair.getPublic();
    }

    /**
     * The hosts' {@code sudo}: the shell already runs as the host's root, so it only does what the engine relies on
     * sudo for: {@code -n} fails with sudo's words when a password is needed, {@code -S} reads one line from stdin (a
     * byte at a time, as sudo does, so the rest stays the command's) and checks it against the password's digest.
     */
    private void writeSudo() throws IOException, GeneralSecurityException {
        Path bin = Files.createDirectories(binDir());
        Path digest = dir().resolve("sudo-password.sha256");
        Files.writeString(digest, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8))));
        Path sudo = bin.resolve("sudo");
        Files.writeString(sudo, """
                #!/bin/sh
                # sudo of an embedded test host (see EmbeddedFleet): -n, -S, -p PROMPT, then the command
                nonint=0; fromstdin=0
                while [ $# -gt 0 ]; do
                  case "$1" in
                    -n) nonint=1; shift ;;
                    -S) fromstdin=1; shift ;;
                    -p) shift 2 ;;
                    --) shift; break ;;
                    -*) echo "sudo: option $1 is not supported by this test host" >&2; exit 1 ;;
                    *) break ;;
                  esac
                done
                if [ "$SLIPWAY_TEST_SUDO" = password ]; then
                  if [ $fromstdin = 1 ]; then
                    IFS= read -r given || given=
                    [ "$(printf '%s' "$given" | sha256sum | cut -c1-64)" = "$(cat '@DIGEST@')" ] \\
                      || { echo "sudo: 1 incorrect password attempt" >&2; exit 1; }
                  elif [ $nonint = 1 ]; then
                    echo "sudo: a password is required" >&2; exit 1
                  else
                    echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
                    exit 1
                  fi
                fi
                [ $# -gt 0 ] || { echo "usage: sudo [-n] [-S] [-p prompt] command" >&2; exit 1; }
                exec "$@"
                """.replace("@DIGEST@", digest.toString()));
        Files.setPosixFilePermissions(sudo, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Override
    void teardown() {
        for (TestHost h : hosts()) {
            ((EmbeddedHost) h).stop();
        }
        teardown(dir());
    }

    /** Kills what runs in each host's namespaces (as recorded in its directory), releases the net, deletes the files. */
    private static void teardown(Path fleetDir) {
        try (Stream<Path> hostDirs = Files.exists(fleetDir) ? Files.list(fleetDir) : Stream.empty()) {
            for (Path h : hostDirs.filter(Files::isDirectory).toList()) {
                EmbeddedSshHost.killRecorded(h);
            }
            STATE.releaseSlot(fleetDir, "net");
        } catch (IOException e) {
            System.err.println("[host-fleet] teardown of " + fleetDir + ": " + e.getMessage());
        }
        MachineClaims.deleteTree(fleetDir);
    }
}
