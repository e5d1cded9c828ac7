package io.slipway.oci.registry;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.ImageIndex;
import io.slipway.oci.ImageManifest;
import io.slipway.oci.Json;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.store.ImageStore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Push and pull of whole images between the local {@link ImageStore} and registries: indexes (every platform, or the
 * ones asked for) and single manifests, blobs moved in parallel (bounded), never a blob that is already at the
 * destination. Manifests travel as their original bytes, so a round trip keeps every digest.
 */
public final class ImageTransfer {

    private final Registries registries;
    private final int concurrency;

    public ImageTransfer(Registries registries, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.registries = registries;
        this.concurrency = concurrency;
    }

    /** Pushes the image {@code localName} of the store (manifest or index with everything it reaches) to {@code remote}. */
    public TransferResult push(ImageStore store, String localName, Reference remote, TransferListener listener) throws IOException {
        return push(store, localName, remote, null, listener);
    }

    /**
     * As {@link #push(ImageStore, String, Reference, TransferListener)}, mounting blobs the registry lacks in the target
     * repository from {@code mountFrom} (a repository of the same registry, may be null) before uploading them: images
     * on a common base pushed one after another send the base's layers once.
     */
    public TransferResult push(ImageStore store, String localName, Reference remote, String mountFrom,
                               TransferListener listener) throws IOException {
        Descriptor root = store.resolve(localName).orElseThrow(() ->
                new IllegalArgumentException("no image named '" + localName + "' in the image store " + store.root()));
        if (remote.digest() != null && !remote.digest().equals(root.digest())) {
            throw new IllegalArgumentException("cannot push " + localName + " (" + root.digest() + ") to " + remote
                    + ": the reference pins another digest");
        }
        RegistryClient client = registries.client(remote.registry());
        String repository = remote.repository();

        List<Descriptor> children = new ArrayList<>();
        Map<Digest, Descriptor> blobs = new LinkedHashMap<>();
        if (MediaTypes.isIndex(root.mediaType())) {
            for (Descriptor child : store.index(root.digest()).manifests()) {
                requireLocal(store, localName, child, "manifest" + (child.platform() == null ? "" : " for " + child.platform()));
                collectBlobs(store, localName, child, blobs);
                children.add(child);
            }
        } else {
            collectBlobs(store, localName, root, blobs);
        }

        Counter counter = new Counter();
        List<Callable<BlobOutcome>> uploads = new ArrayList<>();
        for (Descriptor blob : blobs.values()) {
            uploads.add(() -> {
                listener.blobStarted(blob);
                AtomicLong done = new AtomicLong();
                BlobOutcome outcome = client.pushBlob(repository, blob, store.blobPath(blob.digest()), mountFrom,
                        n -> listener.blobProgress(blob, done.addAndGet(n), blob.size()));
                counter.add(outcome, outcome == BlobOutcome.UPLOADED ? blob.size() : 0);
                listener.blobFinished(blob, outcome);
                return outcome;
            });
        }
        Parallel.run(concurrency, "oci-push", uploads);

        for (Descriptor child : children) {
            ManifestContent content = new ManifestContent(child.mediaType(), child.digest(), store.readBlob(child.digest()));
            client.putManifest(repository, child.digest().toString(), content);
            listener.manifestStored(child, child.digest().toString());
        }
        ManifestContent rootContent = new ManifestContent(root.mediaType(), root.digest(), store.readBlob(root.digest()));
        String reference = remote.tag() != null ? remote.tag() : root.digest().toString();
        client.putManifest(repository, reference, rootContent);
        listener.manifestStored(root, reference);
        return counter.result(root);
    }

    /**
     * Pulls {@code remote} into the store and names it {@code localName}. From an index, every platform when
     * {@code platforms} is empty (the index itself is stored, digest unchanged); otherwise only the matching manifests:
     * one match is stored as that manifest (its digest unchanged), several as a new index of just those.
     */
    public TransferResult pull(Reference remote, ImageStore store, String localName, Set<Platform> platforms,
                               TransferListener listener) throws IOException {
        RegistryClient client = registries.client(remote.registry());
        ManifestContent top = client.getManifest(remote.repository(), remote.manifestReference());
        PullPlan plan = top.isIndex() ? planFromIndex(client, remote, top, platforms)
                : new PullPlan(List.of(top), null, top.descriptor());
        Pull pull = new Pull(client, remote, store, listener, new Counter());
        // an index was already filtered by platform; a single manifest can only be checked against its config
        pullConfigs(pull, plan.manifests(), top.isIndex() ? Set.of() : platforms);
        pullLayers(pull, plan.manifests());

        // manifests last: a manifest in the store always has its blobs
        for (ManifestContent m : plan.manifests()) {
            store.putBytes(m.mediaType(), m.bytes());
        }
        if (plan.indexToStore() != null) {
            store.putBytes(plan.indexToStore().mediaType(), plan.indexToStore().bytes());
        }
        store.tag(localName, plan.root());
        return pull.counter().result(plan.root());
    }

    /**
     * What a pull stores: the image manifests whose blobs it fetches, the index stored beside them (null when the
     * local name points at a manifest), and what the local name points at.
     */
    private record PullPlan(List<ManifestContent> manifests, ManifestContent indexToStore, Descriptor root) {
    }

    /** One pull's registry, source, store, listener and tally, so each step fetches a blob with one call. */
    private record Pull(RegistryClient client, Reference remote, ImageStore store, TransferListener listener,
                        Counter counter) {

        BlobOutcome blob(Descriptor blob) throws IOException {
            listener.blobStarted(blob);
            AtomicLong done = new AtomicLong();
            BlobOutcome outcome = client.pullBlob(remote.repository(), blob, store,
                    n -> listener.blobProgress(blob, done.addAndGet(n), blob.size()));
            counter.add(outcome, outcome == BlobOutcome.DOWNLOADED ? blob.size() : 0);
            listener.blobFinished(blob, outcome);
            return outcome;
        }
    }

    /** The manifests of the platforms asked for, and which index, if any, the local name points at (see pull). */
    private static PullPlan planFromIndex(RegistryClient client, Reference remote, ManifestContent top,
                                          Set<Platform> platforms) throws IOException {
        ImageIndex index = Json.read(top.bytes(), ImageIndex.class);
        List<Descriptor> selected = select(index, platforms, remote);
        List<ManifestContent> manifests = new ArrayList<>();
        for (Descriptor child : selected) {
            ManifestContent m = client.getManifest(remote.repository(), child.digest().toString());
            if (!MediaTypes.isManifest(m.mediaType())) {
                throw new IOException("pull " + remote + ": nested index " + child.digest() + " is not supported");
            }
            manifests.add(m);
        }
        if (platforms.isEmpty()) {
            return new PullPlan(manifests, top, top.descriptor());
        }
        if (selected.size() == 1) {
            return new PullPlan(manifests, null, manifests.get(0).descriptor());
        }
        byte[] filtered = Json.canonical(new ImageIndex(2, top.mediaType(), selected, index.annotations()));
        ManifestContent filteredIndex = new ManifestContent(top.mediaType(), Digest.of(filtered), filtered);
        return new PullPlan(manifests, filteredIndex, filteredIndex.descriptor());
    }

    /** Each manifest's config, checked against {@code required} platforms unless that is empty. */
    private static void pullConfigs(Pull pull, List<ManifestContent> manifests, Set<Platform> required) throws IOException {
        for (ManifestContent m : manifests) {
            ImageManifest manifest = Json.read(m.bytes(), ImageManifest.class);
            if (manifest.config() == null) {
                throw new IOException("pull " + pull.remote() + ": manifest " + m.digest() + " has no config");
            }
            pull.blob(manifest.config());
            if (!required.isEmpty()) {
                Platform actual = pull.store().config(manifest.config().digest()).platform();
                if (required.stream().noneMatch(actual::matches)) {
                    throw new IOException("pull " + pull.remote() + ": the image is for " + actual + ", not for "
                            + required.stream().map(Platform::toString).sorted().collect(Collectors.joining(", ")));
                }
            }
        }
    }

    /** Every layer of the manifests once, in parallel. */
    private void pullLayers(Pull pull, List<ManifestContent> manifests) throws IOException {
        Map<Digest, Descriptor> layers = new LinkedHashMap<>();
        for (ManifestContent m : manifests) {
            Json.read(m.bytes(), ImageManifest.class).layers().forEach(l -> layers.putIfAbsent(l.digest(), l));
        }
        List<Callable<BlobOutcome>> downloads = new ArrayList<>();
        for (Descriptor layer : layers.values()) {
            downloads.add(() -> pull.blob(layer));
        }
        Parallel.run(concurrency, "oci-pull", downloads);
    }

    private static List<Descriptor> select(ImageIndex index, Set<Platform> platforms, Reference remote) throws IOException {
        if (platforms.isEmpty()) {
            return index.manifests();
        }
        List<Descriptor> selected = index.manifests().stream()
                .filter(d -> d.platform() != null && platforms.stream().anyMatch(d.platform()::matches))
                .toList();
        if (selected.isEmpty()) {
            String offered = index.manifests().stream().map(d -> d.platform() == null ? "(none)" : d.platform().toString())
                    .collect(Collectors.joining(", "));
            throw new IOException("pull " + remote + ": no manifest for "
                    + platforms.stream().map(Platform::toString).sorted().collect(Collectors.joining(", "))
                    + "; the index offers " + offered);
        }
        return selected;
    }

    private static void collectBlobs(ImageStore store, String name, Descriptor manifestDescriptor, Map<Digest, Descriptor> blobs)
            throws IOException {
        if (!MediaTypes.isManifest(manifestDescriptor.mediaType())) {
            throw new IOException("image " + name + ": " + manifestDescriptor.digest() + " has media type "
                    + manifestDescriptor.mediaType() + ", not an image manifest");
        }
        ImageManifest manifest = store.manifest(manifestDescriptor.digest());
        requireLocal(store, name, manifest.config(), "config");
        blobs.putIfAbsent(manifest.config().digest(), manifest.config());
        for (Descriptor layer : manifest.layers()) {
            requireLocal(store, name, layer, "layer");
            blobs.putIfAbsent(layer.digest(), layer);
        }
    }

    private static void requireLocal(ImageStore store, String name, Descriptor d, String what) throws IOException {
        if (!store.hasBlob(d.digest())) {
            throw new IOException("image " + name + ": its " + what + " " + d.digest() + " is not in the image store "
                    + store.root() + " (pulled for other platforms only?)");
        }
    }

    /** Tallies outcomes across transfer threads. */
    private static final class Counter {
        private final Map<BlobOutcome, Integer> outcomes = new EnumMap<>(BlobOutcome.class);
        private long bytes;

        synchronized void add(BlobOutcome outcome, long moved) {
            outcomes.merge(outcome, 1, Integer::sum);
            bytes += moved;
        }

        synchronized TransferResult result(Descriptor root) {
            return new TransferResult(root, outcomes, bytes);
        }
    }
}
