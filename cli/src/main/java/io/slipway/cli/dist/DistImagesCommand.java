package io.slipway.cli.dist;

import io.slipway.cli.Slipway;
import io.slipway.cli.image.ImagesCommand;
import io.slipway.cli.stack.ProjectHome;
import io.slipway.oci.registry.BlobOutcome;
import io.slipway.oci.registry.CredentialStore;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code slipway dist images}: builds the container images of the five services and the gateway, with no container
 * engine, on a base image made here (see {@link BaseImage}), and pushes them to a registry.
 */
@Command(name = "images", mixinStandardHelpOptions = true,
        description = {"Build the container images of the services and the gateway (on a base image made from a local JDK)"
                + " and push them to REGISTRY as slipway/<name>:<tag>; prints each image's reference and digest.",
                "Names: build-svc, deploy-svc, event-svc, infra-svc, workload-svc, gateway (and their base, slipway/base)."})
public final class DistImagesCommand implements Callable<Integer> {

    /** docker's tag grammar. */
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    @Option(names = "--registry", required = true, paramLabel = "HOST[:PORT]",
            description = "The registry to push to, e.g. 127.0.0.1:5000.")
    String registry;

    @Option(names = "--tag", paramLabel = "TAG", description = "The tag (default: the project version, " + Slipway.VERSION
            + "); the images are also tagged with the git revision (12 hex digits, -dirty for a modified tree).")
    String tag;

    @Option(names = "--insecure", description = "Talk plain HTTP to the registry (a local registry without TLS).")
    boolean insecure;

    @Option(names = "--only", split = ",", paramLabel = "NAME", description = "Build and push only these images (the base always).")
    List<String> only;

    @Option(names = "--jdk", paramLabel = "DIR",
            description = "The JDK (>= 21, with jlink) whose JRE goes into the base image (default: the one running this command).")
    Path jdk;

    @Option(names = "--home", paramLabel = "DIR", description = "The Slipway project (default: found above the working directory).")
    Path home;

    @Option(names = "--store", paramLabel = "DIR",
            description = "Where the images are built, an OCI image layout (default: <home>/target/dist/images).")
    Path storeDir;

    @Option(names = "--auth-dir", paramLabel = "DIR",
            description = "A directory with a docker-shaped auth.json holding the registry's login (never printed).")
    Path authDir;

    @Option(names = "--source-url", paramLabel = "URL",
            description = "org.opencontainers.image.source (default: the git remote 'origin', if there is one).")
    String sourceUrl;

    @Override
    public Integer call() {
        Path project = ProjectHome.require(home);
        List<String> names = selected();
        String primaryTag = tag != null ? checkedTag(tag) : Slipway.VERSION;
        Path jdkHome = jdk != null ? jdk.toAbsolutePath().normalize() : Jlink.current().orElseThrow(() -> new IllegalStateException(
                "this command runs on a JRE without jlink (" + System.getProperty("java.home") + "): give a JDK with --jdk"));
        SourceRevision source = SourceRevision.of(project);
        String url = sourceUrl != null ? sourceUrl : source.origin().orElse(null);
        Path dist = project.resolve("target/dist");
        ImageStore store = ImageStore.open(storeDir != null ? storeDir : dist.resolve("images"));
        PrintStream out = System.out;
        PrintStream log = System.err;
        if (url == null) {
            log.println("no git remote 'origin': the images carry no org.opencontainers.image.source (give --source-url)");
        }
        try {
            DistBuild build = new DistBuild(store, jdkHome, dist.resolve("cache"),
                    new DistBuild.Provenance(Slipway.VERSION, source, url), log);
            List<DistBuild.Built> built = new ArrayList<>();
            built.add(build.base());
            for (String name : names) {
                built.add(build.image(ImageRecipe.of(name, project)));
            }
            List<String> tags = List.copyOf(new LinkedHashSet<>(List.of(primaryTag, source.shortTag())));
            try (Registries registries = registries()) {
                DistPush push = new DistPush(new ImageTransfer(registries, 4), store, registry);
                for (DistBuild.Built image : built) {
                    String mountFrom = image.name().equals(DistBuild.BASE) ? null : DistPush.repository(DistBuild.BASE);
                    report(out, push.push(build.localName(image.name()), image.name(), tags, mountFrom), tags);
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private Registries registries() {
        Registries.Builder builder = Registries.builder().defaults(c -> c.withPlainHttp(insecure));
        if (authDir != null) {
            builder.credentialStore(CredentialStore.in(authDir));
        }
        return builder.build();
    }

    private List<String> selected() {
        if (only == null || only.isEmpty()) {
            return ImageRecipe.NAMES;
        }
        Set<String> wanted = new LinkedHashSet<>();
        for (String name : only) {
            String n = name.trim();
            if (!ImageRecipe.NAMES.contains(n)) {
                throw new IllegalArgumentException("--only: no image named '" + n + "'; the images are "
                        + String.join(", ", ImageRecipe.NAMES));
            }
            wanted.add(n);
        }
        return ImageRecipe.NAMES.stream().filter(wanted::contains).toList();
    }

    private static String checkedTag(String tag) {
        if (!TAG.matcher(tag).matches()) {
            throw new IllegalArgumentException("--tag '" + tag + "' is not a valid tag: letters, digits, '_', '.' and '-',"
                    + " not starting with '.' or '-', at most 128 characters");
        }
        return tag;
    }

    private static void report(PrintStream out, DistPush.Pushed p, List<String> tags) {
        out.printf("%s %s (pushed %s; already there %s; mounted %s)%s%n", p.reference(), p.root().digest(),
                amount(p, BlobOutcome.UPLOADED), amount(p, BlobOutcome.ALREADY_PRESENT), amount(p, BlobOutcome.MOUNTED),
                tags.size() > 1 ? " also tagged " + String.join(", ", tags.subList(1, tags.size())) : "");
    }

    private static String amount(DistPush.Pushed p, BlobOutcome outcome) {
        long blobs = p.blobs(outcome);
        return ImagesCommand.human(p.bytes(outcome)) + " in " + blobs + (blobs == 1 ? " blob" : " blobs");
    }
}
