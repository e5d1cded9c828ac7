package io.slipway.cloudimage.build;

import io.slipway.cloudimage.cache.BuildCache;
import io.slipway.cloudimage.cache.StatIndex;
import io.slipway.cloudimage.kubefile.Instruction;
import io.slipway.cloudimage.kubefile.Keyword;
import io.slipway.cloudimage.kubefile.KubefileException;
import io.slipway.cloudimage.kubefile.Variables;
import io.slipway.cloudimage.layer.ArchiveExtractor;
import io.slipway.cloudimage.layer.BuildContext;
import io.slipway.cloudimage.layer.ContextException;
import io.slipway.cloudimage.layer.DirectorySet;
import io.slipway.cloudimage.layer.FileStat;
import io.slipway.cloudimage.layer.FilesystemSnapshot;
import io.slipway.cloudimage.layer.ImagePath;
import io.slipway.cloudimage.layer.Layer;
import io.slipway.cloudimage.layer.LayerExtractor;
import io.slipway.cloudimage.layer.LayerPlan;
import io.slipway.cloudimage.layer.LayerWriter;
import io.slipway.cloudimage.metadata.Application;
import io.slipway.cloudimage.metadata.ApplicationType;
import io.slipway.cloudimage.metadata.CloudImageMetadata;
import io.slipway.cloudimage.metadata.ImageType;
import io.slipway.oci.Digest;
import io.slipway.oci.Digests;
import io.slipway.oci.ImageConfig;
import io.slipway.oci.Json;
import io.slipway.oci.Platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the Kubefile for one platform: walks the instructions in order, keeping the image's state (layers, chain
 * key, environment, labels, applications) and turning each file-adding instruction into a layer, reused from the
 * build cache when its key is known.
 */
final class PlatformBuild {

    static final String LABEL_KUBE_VERSION = "app.alpha.sealer.io/supported-kube-version";
    static final String LABEL_CNI_PREFIX = "cluster.alpha.sealer.io/kube-cni-";
    static final String LABEL_CSI_PREFIX = "cluster.alpha.sealer.io/kube-csi-";

    private final BuildSession s;
    private final Platform platform;
    private final Variables vars;
    private final List<Layer> layers = new ArrayList<>();
    private final List<ImageConfig.History> history = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> metadataEnv = new LinkedHashMap<>();
    private final Map<String, String> labels = new TreeMap<>();
    private final Map<String, Application> apps = new LinkedHashMap<>();
    private final Map<String, Instruction> declaredHere = new LinkedHashMap<>();
    private final Map<String, List<String>> appCmds = new TreeMap<>();
    private final Map<String, Map<String, String>> appEnv = new TreeMap<>();
    private final List<String> cni = new ArrayList<>();
    private final List<String> csi = new ArrayList<>();
    private final List<String> launch = new ArrayList<>();
    private final List<String> cmds = new ArrayList<>();
    private List<String> baseImages = List.of();
    private String kubeVersion;
    private boolean kubeInstaller;
    private String chain;
    private int cachedLayers;
    private DirectorySet dirs;
    private int dirsUpTo;
    private Path rootfs;
    private int rootfsUpTo;

    PlatformBuild(BuildSession session, Platform platform) {
        this.s = session;
        this.platform = platform;
        this.vars = new Variables(session.spec().buildArgs(), platform, Platform.current());
    }

    Platform platform() {
        return platform;
    }

    Variables variables() {
        return vars;
    }

    PlatformBuild run() throws IOException {
        List<Instruction> instructions = s.kubefile().instructions();
        for (int i = 0; i < instructions.size(); i++) {
            Instruction ins = instructions.get(i);
            List<String> args = ins.keyword() == Keyword.ARG ? List.of(ins.args().get(0).source())
                    : ins.expandArgs(vars::lookup);
            BuildStep step = new BuildStep(i + 1, s.steps(), ins.line(), ins.keyword(), describe(ins, args),
                    platform);
            s.listener().stepStarted(step);
            try {
                execute(step, ins, args);
            } catch (ContextException | Downloads.DownloadException e) {
                throw ins.error(ins.keyword() + " " + e.getMessage(), e);
            }
        }
        checkLaunchable();
        return this;
    }

    private void execute(BuildStep step, Instruction ins, List<String> args) throws IOException {
        switch (ins.keyword()) {
            case ARG -> {
                vars.declare(ins);
                metadataStep(step);
            }
            case FROM -> from(ins, args);
            case ENV -> {
                ins.expandAssignments(vars::lookup).forEach((k, v) -> {
                    vars.setEnv(k, v);
                    env.put(k, v);
                    metadataEnv.put(k, v);
                });
                metadataStep(step);
            }
            case LABEL -> {
                labels.putAll(ins.expandAssignments(vars::lookup));
                metadataStep(step);
            }
            case MAINTAINER -> {
                labels.put("maintainer", args.get(0));
                metadataStep(step);
            }
            case COPY -> buildLayer(step, ins, keyText(ins, args), planCopy(ins, args, false));
            case ADD -> buildLayer(step, ins, keyText(ins, args), planCopy(ins, args, true));
            case RUN -> run(step, ins, args);
            case APP, CNI, CSI -> app(step, ins, args);
            case APPCMDS -> {
                appCmds.put(args.get(0), List.copyOf(args.subList(1, args.size())));
                metadataStep(step);
            }
            case APPENV -> {
                appEnv.computeIfAbsent(args.get(0), k -> new TreeMap<>()).putAll(ins.expandAssignments(vars::lookup));
                metadataStep(step);
            }
            case KUBEVERSION -> {
                kubeVersion = args.get(0);
                labels.put(LABEL_KUBE_VERSION, kubeVersion);
                kubeInstaller = true;
                metadataStep(step);
            }
            case LAUNCH -> {
                launch.addAll(args);
                metadataStep(step);
            }
            case CMDS, CMD -> {
                cmds.addAll(args);
                metadataStep(step);
            }
        }
    }

    // ---- FROM

    private void from(Instruction ins, List<String> args) throws IOException {
        String image = args.get(0);
        if (image.equals("scratch")) {
            chain = BuildCache.key("scratch").toString();
            s.kubefile().checkApplications(Set.of());
            return;
        }
        Optional<String> platformFlag = ins.expandFlag("platform", vars::lookup);
        Platform wanted;
        try {
            wanted = platformFlag.map(Platform::parse).orElse(platform);
        } catch (IllegalArgumentException e) {
            throw ins.error("FROM --platform: " + e.getMessage());
        }
        BaseImage base = BaseImage.load(s.store(), image, wanted, ins);
        layers.addAll(base.layers());
        List<String> diffIds = new ArrayList<>(List.of("base"));
        base.layers().forEach(l -> diffIds.add(l.diffId().toString()));
        chain = BuildCache.key(diffIds.toArray(String[]::new)).toString();
        ImageConfig.Config config = base.config().config();
        if (config != null) {
            if (config.env() != null) {
                for (String kv : config.env()) {
                    int eq = kv.indexOf('=');
                    if (eq > 0) {
                        vars.setEnv(kv.substring(0, eq), kv.substring(eq + 1));
                        env.put(kv.substring(0, eq), kv.substring(eq + 1));
                    }
                }
            }
            if (config.labels() != null) {
                labels.putAll(config.labels());
            }
        }
        if (base.config().history() != null) {
            history.addAll(base.config().history());
        }
        CloudImageMetadata m = base.metadata();
        m.applications().forEach(a -> apps.put(a.name(), a));
        appCmds.putAll(m.appCmds());
        m.appEnv().forEach((k, v) -> appEnv.put(k, new TreeMap<>(v)));
        metadataEnv.putAll(m.env());
        cni.addAll(m.cni());
        csi.addAll(m.csi());
        kubeVersion = m.kubeVersion();
        kubeInstaller = m.type() == ImageType.KUBE_INSTALLER;
        baseImages = m.images();
        s.kubefile().checkApplications(apps.keySet());
    }

    // ---- COPY and ADD

    private LayerPlan planCopy(Instruction ins, List<String> args, boolean add) throws IOException {
        String written = args.get(args.size() - 1);
        ImagePath dest = ImagePath.of(written).orElseThrow(() -> ins.error(ins.keyword() + " destination " + written
                + " climbs above the image root"));
        List<String> sources = args.subList(0, args.size() - 1);
        List<Object> resolved = new ArrayList<>();
        for (String source : sources) {
            if (add && isUrl(source)) {
                resolved.add(s.downloads().fetch(source, s.workDir()));
            } else {
                resolved.addAll(s.context().match(source));
            }
        }
        boolean several = resolved.size() > 1;
        if (several && !dest.trailingSlash() && !imageHasDirectory(dest.path())) {
            throw ins.error(ins.keyword() + " with several sources needs a directory destination ending in '/', not " + written);
        }
        LayerPlan plan = new LayerPlan();
        for (Object r : resolved) {
            if (r instanceof Downloads.Download d) {
                String target = intoDirectory(dest, several) ? dest.child(d.name()) : dest.path();
                plan.file(target, d.file(), FileStat.of(d.file())).digest(d.digest());
            } else {
                BuildContext.Source src = (BuildContext.Source) r;
                if (src.isDirectory()) {
                    s.context().add(plan, src, dest.path());
                } else if (add && ArchiveExtractor.isArchive(src.path())) {
                    plan.archive(src.path(), src.stat(), dest.path());
                } else {
                    String target = intoDirectory(dest, several) ? dest.child(src.name()) : dest.path();
                    s.context().add(plan, src, target);
                }
            }
        }
        return plan;
    }

    private boolean intoDirectory(ImagePath dest, boolean several) throws IOException {
        return dest.trailingSlash() || several || imageHasDirectory(dest.path());
    }

    private static boolean isUrl(String source) {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    /** Whether the image built so far has this directory (read lazily from the layers' tar headers). */
    private boolean imageHasDirectory(String path) throws IOException {
        if (path.isEmpty()) {
            return true;
        }
        if (dirs == null) {
            dirs = new DirectorySet();
        }
        for (; dirsUpTo < layers.size(); dirsUpTo++) {
            dirs.applyLayer(s.store(), layers.get(dirsUpTo).descriptor());
        }
        return dirs.contains(path);
    }

    // ---- APP, CNI, CSI

    private void app(BuildStep step, Instruction ins, List<String> args) throws IOException {
        String name = args.get(0);
        String dir = Application.pathOf(name);
        String appDir = dir.substring(0, dir.length() - 1);
        LayerPlan plan = new LayerPlan();
        plan.opaque(appDir);
        for (String source : args.subList(1, args.size())) {
            if (source.startsWith("local://")) {
                for (BuildContext.Source src : s.context().match(source.substring("local://".length()))) {
                    s.context().add(plan, src, src.isDirectory() ? appDir : appDir + "/" + src.name());
                }
            } else {
                Downloads.Download d = s.downloads().fetch(source, s.workDir());
                plan.file(appDir + "/" + d.name(), d.file(), FileStat.of(d.file())).digest(d.digest());
            }
        }
        apps.put(name, ApplicationTypes.infer(name, plan));
        declaredHere.put(name, ins);
        if (ins.keyword() == Keyword.CNI) {
            cni.add(name);
            labels.put(LABEL_CNI_PREFIX + name, "true");
            kubeInstaller = true;
        } else if (ins.keyword() == Keyword.CSI) {
            csi.add(name);
            labels.put(LABEL_CSI_PREFIX + name, "true");
            kubeInstaller = true;
        }
        buildLayer(step, ins, keyText(ins, args), plan);
    }

    /** sealer's rule: an application whose type cannot be told must say how it is launched. */
    private void checkLaunchable() {
        declaredHere.forEach((name, ins) -> {
            if (apps.get(name).type() == ApplicationType.UNKNOWN && !appCmds.containsKey(name)) {
                throw ins.error(ins.keyword() + " " + name + ": cannot tell how to launch it (not a helm chart, not only "
                        + "YAML files, not only shell scripts); give its commands with APPCMDS " + name + " [\"...\"]");
            }
        });
    }

    // ---- layers and the cache

    private void buildLayer(BuildStep step, Instruction ins, String keyText, LayerPlan inputs) throws IOException {
        StatIndex index = s.cache().statIndex();
        boolean allKnown = true;
        for (LayerPlan.RegularFile f : inputs.inputFiles()) {
            if (f.digest() == null && inContext(f)) {
                index.lookup(f.source(), f.stat()).ifPresent(f::digest);
            }
            allKnown &= f.digest() != null;
        }
        String compression = s.spec().compression().name();
        Digest shape = BuildCache.key("shape", chain, keyText, compression, inputs.fingerprint(false).toString());
        if (!s.spec().noCache()) {
            // Hashing before writing pays off only when the layer is likely cached (same paths and sizes seen
            // before); otherwise the digests are computed while the layer is written, in the same read.
            if (!allKnown && s.cache().knowsShape(shape)) {
                hashMissing(inputs.inputFiles());
                allKnown = true;
            }
            if (allKnown) {
                Digest key = layerKey(keyText, compression, inputs);
                Optional<Layer> hit = s.cache().lookup(key);
                if (hit.isPresent()) {
                    addLayer(step, hit.get(), true);
                    return;
                }
            }
        }
        hashMissing(inputs.archives().stream().map(LayerPlan.Archive::file).toList());
        LayerPlan content = unpackArchives(ins, inputs);
        List<LayerPlan.RegularFile> unknown = inputs.inputFiles().stream().filter(f -> f.digest() == null).toList();
        long start = System.currentTimeMillis();
        Layer layer;
        try (LayerWriter writer = LayerWriter.open(s.store(), s.spec().compression())) {
            layer = writer.write(content);
        }
        remember(unknown, start);
        s.cache().record(layerKey(keyText, compression, inputs), layer);
        s.cache().recordShape(shape);
        addLayer(step, layer, false);
    }

    private Digest layerKey(String keyText, String compression, LayerPlan inputs) {
        return BuildCache.key("layer", chain, keyText, compression, inputs.fingerprint(true).toString());
    }

    private void hashMissing(List<LayerPlan.RegularFile> files) throws IOException {
        List<LayerPlan.RegularFile> unknown = files.stream().filter(f -> f.digest() == null).toList();
        long start = System.currentTimeMillis();
        for (LayerPlan.RegularFile f : unknown) {
            f.digest(Digests.sha256(f.source()));
        }
        remember(unknown, start);
    }

    private void remember(List<LayerPlan.RegularFile> hashed, long readStart) {
        for (LayerPlan.RegularFile f : hashed) {
            if (inContext(f) && f.digest() != null) {
                s.cache().statIndex().record(f.source(), f.stat(), f.digest(), readStart);
            }
        }
    }

    private boolean inContext(LayerPlan.RegularFile f) {
        return f.source().startsWith(s.context().root());
    }

    private LayerPlan unpackArchives(Instruction ins, LayerPlan inputs) throws IOException {
        if (inputs.archives().isEmpty()) {
            return inputs;
        }
        LayerPlan content = inputs.copy();
        for (LayerPlan.Archive archive : inputs.archives()) {
            Path dir = Files.createTempDirectory(s.workDir(), "archive-");
            String name = s.context().root().relativize(archive.file().source()).toString();
            ArchiveExtractor.extract(archive.file().source(), dir, name);
            LayerPlan unpacked = new LayerPlan();
            BuildContext.addTree(unpacked, dir, "", (link, target) -> { });
            content.merge(archive.destination(), unpacked);
        }
        content.archivesExpanded();
        return content;
    }

    private void addLayer(BuildStep step, Layer layer, boolean fromCache) {
        layers.add(layer);
        history.add(new ImageConfig.History(step.text(), null));
        chain = BuildCache.key("chain", chain, layer.diffId().toString()).toString();
        if (fromCache) {
            cachedLayers++;
        }
        s.listener().layerBuilt(step, layer.descriptor(), fromCache);
    }

    private void metadataStep(BuildStep step) {
        if (chain != null) {
            history.add(new ImageConfig.History(step.text(), true));
        }
    }

    // ---- RUN

    private void run(BuildStep step, Instruction ins, List<String> args) throws IOException {
        List<String> argv = ins.jsonForm() ? args : List.of("/bin/sh", "-c", args.get(0));
        Map<String, String> environment = vars.environment();
        boolean hostNetwork = ins.expandFlag("network", name -> null).map("host"::equals).orElse(false);
        List<Object> keyParts = new ArrayList<>(List.of("RUN", argv, environment, platform.toString()));
        if (hostNetwork) {
            keyParts.add("network=host");
        }
        String keyText = new String(Json.canonical(keyParts), StandardCharsets.UTF_8);
        Digest key = BuildCache.key("run", chain, keyText, s.spec().compression().name());
        if (!s.spec().noCache()) {
            Optional<Layer> hit = s.cache().lookup(key);
            if (hit.isPresent()) {
                addLayer(step, hit.get(), true);
                return;
            }
        }
        Path root = rootfs();
        RunCommand.prepareRootfs(root);
        FilesystemSnapshot before = FilesystemSnapshot.take(root);
        Path runWork = Files.createTempDirectory(s.workDir(), "run-");
        RunCommand.Outcome outcome = RunCommand.run(argv, root, s.context().root(), environment, hostNetwork, runWork,
                s.spec().runTimeout(), line -> s.listener().log(step, line));
        String command = abbreviate(ins.jsonForm() ? String.join(" ", argv) : args.get(0));
        if (outcome.timedOut()) {
            throw ins.error("RUN timed out after " + human(s.spec().runTimeout()) + " and was killed: " + command);
        }
        if (outcome.exitCode() != 0) {
            throw ins.error("RUN failed with exit code " + outcome.exitCode() + ": " + command);
        }
        List<String> skipped = new ArrayList<>();
        LayerPlan changes = before.changes(skipped);
        skipped.forEach(p -> s.listener().log(step, "not kept in the layer (socket, FIFO or device): /" + p));
        Layer layer;
        try (LayerWriter writer = LayerWriter.open(s.store(), s.spec().compression())) {
            layer = writer.write(changes);
        }
        s.cache().record(key, layer);
        addLayer(step, layer, false);
        rootfsUpTo = layers.size();
    }

    /** The image's root filesystem so far, materialized once per build and kept up to date as layers are added. */
    private Path rootfs() throws IOException {
        if (rootfs == null) {
            rootfs = Files.createDirectories(s.workDir().resolve("rootfs-" + platform.toString().replace('/', '-')));
        }
        if (rootfsUpTo < layers.size()) {
            LayerExtractor.apply(s.store(), layers.subList(rootfsUpTo, layers.size()).stream().map(Layer::descriptor).toList(),
                    rootfs, p -> true);
            rootfsUpTo = layers.size();
        }
        return rootfs;
    }

    // ---- results

    List<Layer> layers() {
        return layers;
    }

    List<ImageConfig.History> history() {
        return history;
    }

    int cachedLayers() {
        return cachedLayers;
    }

    void addOfflineLayer(Layer layer, String createdBy) {
        layers.add(layer);
        history.add(new ImageConfig.History(createdBy, null));
    }

    List<String> baseImages() {
        return baseImages;
    }

    List<Application> applications() {
        return List.copyOf(apps.values());
    }

    ImageConfig.Config config() {
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        return new ImageConfig.Config(envList, cmds.isEmpty() ? null : List.copyOf(cmds), labels, null);
    }

    CloudImageMetadata metadata(List<String> images) {
        ImageType type = s.spec().imageType().orElse(kubeInstaller ? ImageType.KUBE_INSTALLER : ImageType.APP_INSTALLER);
        return new CloudImageMetadata(type, List.copyOf(apps.values()), launch, cmds, metadataEnv, appCmds, appEnv,
                kubeVersion, cni, csi, images);
    }

    // ---- text

    /** The instruction after substitution, as history and logs show it. */
    private String describe(Instruction ins, List<String> args) {
        StringBuilder sb = new StringBuilder(ins.keyword().name());
        ins.flags().keySet().stream().sorted().forEach(f -> sb.append(" --").append(f).append('=')
                .append(ins.expandFlag(f, vars::lookup).orElseThrow()));
        if (ins.keyword() == Keyword.APPCMDS) {
            sb.append(' ').append(args.get(0)).append(' ').append(json(args.subList(1, args.size())));
        } else if (ins.jsonForm()) {
            sb.append(' ').append(json(args));
        } else {
            for (String a : args) {
                sb.append(' ').append(a.isEmpty() || a.chars().anyMatch(Character::isWhitespace) ? json(a) : a);
            }
        }
        return sb.toString();
    }

    /** The instruction after substitution in an unambiguous form, for cache keys. */
    private static String keyText(Instruction ins, List<String> args) {
        return new String(Json.canonical(List.of(ins.keyword().name(), args)), StandardCharsets.UTF_8);
    }

    private static String json(Object value) {
        return new String(Json.canonical(value), StandardCharsets.UTF_8);
    }

    private static String abbreviate(String command) {
        String oneLine = command.replace('\n', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    Set<String> unusedBuildArgs() {
        return new HashSet<>(vars.unusedBuildArgs());
    }
}
