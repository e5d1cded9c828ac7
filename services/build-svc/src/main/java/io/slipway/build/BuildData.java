package io.slipway.build;

import io.slipway.backbone.BackboneConfig;
import io.slipway.build.context.BuildContexts;
import io.slipway.build.log.BuildLogs;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.cloudimage.layer.ArchiveExtractor;
import io.slipway.oci.store.ImageStore;
import jakarta.enterprise.context.ApplicationScoped;
import io.slipway.outbound.OutboundPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.slipway.build.context.GitClone;
import java.util.HashMap;
import java.util.Map;

/**
 * build-svc's files under {@code slipway.data-dir}: the image store ({@code images/}, an OCI image layout), uploaded
 * contexts, build logs, work dirs, registry logins and sync rules.
 */
@ApplicationScoped
public class BuildData {
    private final Path dataDir;
    private final ImageStore store;
    private final BuildLogs logs;
    private final BuildContexts contexts;
    private final CloudImageBuilder builder;

    BuildData(BackboneConfig backbone, BuildServiceConfig config, OutboundPolicy outbound) {
        this.dataDir = backbone.dataDir().orElse(Path.of(System.getProperty("java.io.tmpdir"), "slipway", "build-svc")).toAbsolutePath();
        try {
            Files.createDirectories(dataDir);
            this.logs = new BuildLogs(dataDir);
            Map<String, GitClone.Credentials> credentials = new HashMap<>();
            config.gitCredentials().forEach((host, c) -> credentials.put(host, new GitClone.Credentials(c.username(), c.password(), c.sshKey(), c.knownHosts())));
            this.contexts = new BuildContexts(dataDir, config.maxContextBytes(),
                    new ArchiveExtractor.Limits(config.maxUnpackedContextBytes(), config.maxContextEntries()), new GitClone(credentials, config.gitCaFile(), config.gitTimeout(), "git", outbound));
            this.store = ImageStore.open(dataDir.resolve("images"));
            this.builder = new CloudImageBuilder(store).withOutboundPolicy(outbound);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare build-svc's data dir " + dataDir + ": " + e.getMessage(), e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public ImageStore store() {
        return store;
    }

    /** One builder for the store, so its build cache and file-stat index are loaded once. */
    public CloudImageBuilder builder() {
        return builder;
    }

    public BuildLogs logs() {
        return logs;
    }

    public BuildContexts contexts() {
        return contexts;
    }
}
