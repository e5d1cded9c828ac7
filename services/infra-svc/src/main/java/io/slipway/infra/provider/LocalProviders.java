package io.slipway.infra.provider;

import io.slipway.infra.provision.ProviderFactory;
import io.slipway.provision.local.LocalProvider;
import io.slipway.provision.local.PrivateFilesystem;
import io.slipway.provision.ssh.SshProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Kind {@code local}: nodes on this machine. Settings: {@code state-dir} (where it records its hosts). Each host has
 * {@code /tmp}, {@code /var/lib/slipway} and a few more paths to itself, so its sshd cannot see a state directory
 * under them; such a directory (a stack kept under /tmp) is kept instead at
 * {@code /var/tmp/slipway-local-<hash of the configured path>}, one per configured path, so two stacks never share
 * hosts (each one's reaper would take the other's for strays).
 */
@ApplicationScoped
public class LocalProviders implements ProviderFactory {
    private static final Logger LOG = Logger.getLogger(LocalProviders.class);

    @Override
    public String kind() {
        return LocalProvider.KIND;
    }

    @Override
    public OpenProvider open(String name, Map<String, String> settings) {
        Path configured = new Settings(settings).path("state-dir").toAbsolutePath().normalize();
        Path stateDir = visibleToHosts(configured);
        if (!stateDir.equals(configured)) {
            LOG.infof("provider %s: %s is private to each local host, so its hosts are recorded in %s", name, configured, stateDir);
        }
        if (LocalProvider.Mode.best().isEmpty()) {
            String reason = "local hosts need root (network namespaces) or unprivileged user namespaces, and this machine offers neither";
            LOG.warnf("provider %s: %s; pools asking for it fail", name, reason);
            return new OpenProvider(new UnavailableProvider(LocalProvider.KIND, reason), node -> java.util.Optional.empty());
        }
        return new OpenProvider(new LazyLocalProvider(stateDir), new SshProbe());
    }

    static Path visibleToHosts(Path configured) {
        for (String privatePath : PrivateFilesystem.PATHS.keySet()) {
            if (configured.startsWith(privatePath)) {
                return Path.of("/var/tmp", "slipway-local-" + sha(configured.toString()));
            }
        }
        return configured;
    }

    private static String sha(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
