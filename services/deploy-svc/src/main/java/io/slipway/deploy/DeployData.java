package io.slipway.deploy;

import io.slipway.backbone.BackboneConfig;
import io.slipway.oci.store.ImageStore;
import io.slipway.security.SecretBox;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * deploy-svc's files under {@code slipway.data-dir}: its image store ({@code images/}: the CloudImages it installs,
 * pulled or imported, kept by digest so an upgrade can diff against what hosts have), the pinned SSH host keys, and the
 * key that seals Clusterfiles in the database.
 */
@ApplicationScoped
public class DeployData {
    private final Path dataDir;
    private final ImageStore store;
    private final SecretBox secrets;

    DeployData(BackboneConfig backbone, DeployServiceConfig config) {
        this.dataDir = backbone.dataDir().orElse(Path.of(System.getProperty("java.io.tmpdir"), "slipway", "deploy-svc")).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
            this.store = ImageStore.open(dataDir.resolve("images"));
            this.secrets = SecretBox.keyFile(config.secretsKeyFile().orElse(dataDir.resolve("secrets.key")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare deploy-svc's data dir " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public ImageStore store() {
        return store;
    }

    /** What seals Clusterfiles (with their SSH and registry secrets) in the database. */
    public SecretBox secrets() {
        return secrets;
    }

    /** Host keys pinned on first contact; a changed key is refused until the line is removed from this file. */
    public Path knownHosts() {
        return dataDir.resolve("known_hosts");
    }
}
