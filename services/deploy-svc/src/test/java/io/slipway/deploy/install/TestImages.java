package io.slipway.deploy.install;

import io.slipway.cloudimage.build.BuildListener;
import io.slipway.cloudimage.build.BuildSpec;
import io.slipway.cloudimage.build.CloudImageBuilder;
import io.slipway.oci.Platform;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small CloudImages for installer tests, built by the real builder: a payload layer, a template layer whose text
 * differs between versions, and a hooks layer whose scripts leave traces on the host.
 */
final class TestImages {
    static final int PAYLOAD_BYTES = 3 * 1024 * 1024;

    private TestImages() {
    }

    /** Builds {@code tag}; {@code greeting} changes only the etc/ layer, so v1 and v2 differ in exactly one layer. */
    static InstallImage build(ImageStore store, Path work, String tag, String greeting, String extraKubefile) throws IOException {
        Path ctx = Files.createDirectories(work.resolve(tag.replace(':', '_')));
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random(42).nextBytes(payload); // the same bytes in every version: the layer digest does not change
        Files.createDirectories(ctx.resolve("bin"));
        Files.write(ctx.resolve("bin/payload"), payload);
        Files.createDirectories(ctx.resolve("etc"));
        Files.writeString(ctx.resolve("etc/app.conf.tmpl"),
                "cluster={{ .SLIPWAY_CLUSTER }}\nip={{ .SLIPWAY_HOST_IP }}\ngreeting=" + greeting + " {{ .WHO }}\n");
        Files.createDirectories(ctx.resolve("hooks/master"));
        Files.createDirectories(ctx.resolve("hooks/node"));
        Files.createDirectories(ctx.resolve("hooks/clean"));
        // masters record start and end times (one clock: same machine) to prove they run one at a time
        Files.writeString(ctx.resolve("hooks/master/10-master.sh"), """
                # slipway:watches etc/
                set -eu
                mkdir -p /var/lib/slipway/trace/$SLIPWAY_CLUSTER
                echo "start $(date +%s%N)" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/master.log
                cp etc/app.conf /var/lib/slipway/trace/$SLIPWAY_CLUSTER/app.conf
                i=0; while [ $i -lt 3 ]; do i=$((i+1)); sleep 0.1; done
                echo "end $(date +%s%N)" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/master.log
                """);
        Files.writeString(ctx.resolve("hooks/node/10-node.sh"), """
                set -eu
                mkdir -p /var/lib/slipway/trace/$SLIPWAY_CLUSTER
                echo "node $SLIPWAY_HOST_IP masters=$SLIPWAY_MASTERS" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/node.log
                """);
        Files.writeString(ctx.resolve("hooks/clean/10-clean.sh"), """
                mkdir -p /var/lib/slipway/trace/$SLIPWAY_CLUSTER
                echo "cleaned $SLIPWAY_CLUSTER" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/clean.log
                """);
        Files.writeString(ctx.resolve("Kubefile"), """
                FROM scratch
                COPY bin bin
                COPY etc etc
                COPY hooks hooks
                """ + extraKubefile + """
                CMDS ["echo cmds-ran-on-$SLIPWAY_HOST_IP >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/cmds.log"]
                """);
        new CloudImageBuilder(store).build(BuildSpec.builder(ctx).tag(tag).platform(Platform.parse("linux/amd64")).build(),
                BuildListener.NONE);
        return InstallImage.open(store, tag, "amd64");
    }
}
