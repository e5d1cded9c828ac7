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

    /**
     * An image whose RUN layer deletes what its COPY layer wrote (whiteouts: a file, and a directory made anew), with
     * {@code keep} deciding whether etc/keep.conf is in it at all (an upgrade that drops a file).
     */
    static InstallImage withWhiteouts(ImageStore store, Path work, String tag, boolean keep) throws IOException {
        Path ctx = Files.createDirectories(work.resolve(tag.replace(':', '_')));
        Files.createDirectories(ctx.resolve("etc/sub"));
        Files.writeString(ctx.resolve("etc/old.conf"), "old\n");
        Files.writeString(ctx.resolve("etc/sub/a"), "a\n");
        if (keep) {
            Files.writeString(ctx.resolve("etc/keep.conf"), "keep\n");
        }
        Files.writeString(ctx.resolve("Kubefile"), """
                FROM scratch
                COPY etc etc
                RUN rm etc/old.conf && rm -rf etc/sub && mkdir etc/sub && echo b > etc/sub/b
                """);
        new CloudImageBuilder(store).build(BuildSpec.builder(ctx).tag(tag).platform(Platform.parse("linux/amd64")).build(),
                BuildListener.NONE);
        return InstallImage.open(store, tag, "amd64");
    }

    /**
     * An image that launches applications instead of running CMDS: {@code setup} (a shell script that records the
     * env it sees), {@code web} (two YAML files: kubectl apply -f each), and {@code custom} (mixed files, so APPCMDS says
     * how; not in LAUNCH), and {@code chart} (a helm chart; not in LAUNCH). Everything the launch does lands in {@code /var/lib/slipway/trace/<cluster>/launch.log}.
     */
    static InstallImage withApps(ImageStore store, Path work, String tag) throws IOException {
        Path ctx = Files.createDirectories(work.resolve(tag.replace(':', '_')));
        Files.writeString(ctx.resolve("setup.sh"), """
                mkdir -p /var/lib/slipway/trace/$SLIPWAY_CLUSTER
                echo "setup on $SLIPWAY_HOST_IP in $(pwd) MODE=$MODE TIER=$TIER GREETING=$GREETING WHO=$WHO" \
                  >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/launch.log
                """);
        Files.createDirectories(ctx.resolve("web"));
        Files.writeString(ctx.resolve("web/deploy.yaml"), "kind: Deployment\n");
        Files.writeString(ctx.resolve("web/svc.yml"), "kind: Service\n");
        Files.createDirectories(ctx.resolve("custom"));
        Files.writeString(ctx.resolve("custom/run.sh"), """
                echo "custom $1 in ${PWD##*/} $(cat conf)" >> /var/lib/slipway/trace/$SLIPWAY_CLUSTER/launch.log
                """);
        Files.writeString(ctx.resolve("custom/conf.tmpl"), "color={{ .COLOR }} greeting={{ .GREETING }}");
        Files.createDirectories(ctx.resolve("chart/templates"));
        Files.writeString(ctx.resolve("chart/Chart.yaml"), "apiVersion: v2\nname: chart\nversion: 0.1.0\n");
        Files.writeString(ctx.resolve("chart/values.yaml"), "replicas: 1\n");
        Files.writeString(ctx.resolve("chart/templates/cm.yaml"), "kind: ConfigMap\n");
        Files.writeString(ctx.resolve("Kubefile"), """
                FROM scratch
                ENV GREETING=hello TIER=dev MODE=image
                APP setup local://setup.sh
                APP web local://web
                APP custom local://custom
                APP chart local://chart
                APPENV setup MODE=appenv TIER=appenv
                APPENV web REPLICAS=2
                APPENV custom COLOR=blue
                APPCMDS custom ["sh", "run.sh", "--flag"]
                LAUNCH ["setup", "web"]
                """);
        new CloudImageBuilder(store).build(BuildSpec.builder(ctx).tag(tag).platform(Platform.parse("linux/amd64")).build(),
                BuildListener.NONE);
        return InstallImage.open(store, tag, "amd64");
    }
}
