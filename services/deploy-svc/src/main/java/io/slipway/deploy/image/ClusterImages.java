package io.slipway.deploy.image;

import io.slipway.deploy.DeployData;
import io.slipway.deploy.DeployServiceConfig;
import io.slipway.deploy.install.InstallImage;
import io.slipway.oci.Descriptor;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.oci.Platform;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.InsecureRegistries;
import io.slipway.oci.registry.Registries;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the CloudImage an operation installs and keeps it in deploy-svc's store under its digest, so a later upgrade
 * can diff layers against what hosts have. A reference with a registry host is pulled (only missing blobs travel);
 * one without (as {@code sealer run} of a local build) is read from build-svc's store. Nothing is ever fetched from a
 * registry the reference does not name.
 */
@ApplicationScoped
public class ClusterImages {
    private final ImageStore store;
    private final Optional<Path> buildStorePath;
    private final InsecureRegistries insecure;
    /** Where a registry's token realm on another host may be. */
    private final io.slipway.outbound.OutboundPolicy outbound;

    ClusterImages(DeployData data, DeployServiceConfig config, io.slipway.outbound.OutboundPolicy outbound) {
        this.store = data.store();
        this.buildStorePath = config.buildStore();
        this.insecure = InsecureRegistries.of(config.insecureRegistries().orElse(List.of()));
        this.outbound = outbound;
    }

    /**
     * What a dry run says of {@code reference} without fetching anything: empty when a store has it, else where the
     * apply would look for it, or that it would fail.
     */
    public Optional<String> availability(String reference) {
        String normalized;
        try {
            normalized = Reference.parse(reference).toString();
        } catch (IllegalArgumentException e) {
            return Optional.of("image " + reference + " is not an image reference: " + e.getMessage());
        }
        Optional<ImageStore> buildStore = buildStorePath.filter(Files::isDirectory).map(ImageStore::open);
        try {
            if (buildStore.isPresent() && found(buildStore.get(), reference, normalized) != null || found(store, reference, normalized) != null) {
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.of("image " + reference + ": the stores cannot be read: " + e.getMessage());
        }
        if (namesRegistry(reference)) {
            return Optional.of("image " + reference + " is in no store here: the apply will pull it from " + Reference.parse(reference).registry());
        }
        return Optional.of("image " + reference + " is neither in build-svc's store nor names a registry: the apply would fail. Build it "
                + "first (slipway build -t " + reference + ") or give its registry (registry.example:5000/" + reference + ")");
    }

    /** Resolves {@code reference} for hosts of {@code architecture}; the message of a failure says what to do. */
    public InstallImage resolve(String reference, String architecture) throws ImageUnavailable {
        try {
            Descriptor root;
            Optional<ImageStore> buildStore = buildStorePath.filter(Files::isDirectory).map(ImageStore::open);
            String normalized = Reference.parse(reference).toString();
            String name = reference;
            if (namesRegistry(reference) && !normalized.startsWith(Reference.DOCKER_HUB + "/")) {
                root = pull(Reference.parse(reference), architecture);
            } else if (buildStore.isPresent() && found(buildStore.get(), reference, normalized) != null) {
                name = found(buildStore.get(), reference, normalized);
                root = importFrom(buildStore.get(), name);
            } else if (found(store, reference, normalized) != null) {
                name = found(store, reference, normalized);
                root = store.resolve(name).orElseThrow();
            } else if (namesRegistry(reference)) {
                root = pull(Reference.parse(reference), architecture);
            } else {
                throw new ImageUnavailable("image " + reference + " is neither in build-svc's store nor names a registry: build it "
                        + "(slipway build -t " + reference + ") or give its registry (registry.example:5000/" + reference + ")");
            }
            InstallImage image = InstallImage.open(store, reference, root, architecture);
            store.tag(image.digest().toString(), root);
            return image;
        } catch (IOException e) {
            throw new ImageUnavailable("image " + reference + ": " + e.getMessage());
        }
    }

    /**
     * The image a host has installed, by the (platform manifest) digest recorded for it; empty when the store no longer
     * has it. The digest is tagged to the image's root, so in a multi-platform index the manifest of that digest is
     * taken, whatever {@code architecture} says.
     */
    public Optional<InstallImage> installed(String digest, String architecture) {
        if (digest == null) {
            return Optional.empty();
        }
        try {
            Optional<Descriptor> root = store.resolve(digest);
            if (root.isEmpty()) {
                return Optional.empty();
            }
            if (!root.get().digest().toString().equals(digest) && MediaTypes.isIndex(root.get().mediaType())) {
                Optional<Descriptor> variant = store.index(root.get().digest()).manifests().stream()
                        .filter(d -> d.digest().toString().equals(digest)).findFirst();
                if (variant.isPresent()) {
                    return Optional.of(InstallImage.open(store, digest, variant.get(), architecture));
                }
            }
            return Optional.of(InstallImage.open(store, digest, architecture));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String found(ImageStore in, String... names) throws IOException {
        for (String n : names) {
            if (in.resolve(n).isPresent()) {
                return n;
            }
        }
        return null;
    }

    private static boolean namesRegistry(String reference) {
        int slash = reference.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String first = reference.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost");
    }

    private Descriptor pull(Reference remote, String architecture) throws IOException {
        try (Registries registries = Registries.builder().defaults(c -> insecure.apply(c).withOutbound(outbound)).build()) {
            new ImageTransfer(registries, 4).pull(remote, store, remote.toString(), Set.of(new Platform("linux", architecture, null)), TransferListener.NONE);
        }
        return store.resolve(remote.toString()).orElseThrow(() -> new IOException("pulled " + remote + " but the store lacks it"));
    }

    /** Links (or copies) the image's blobs from build-svc's store into ours, then tags it with the same name. */
    private Descriptor importFrom(ImageStore source, String name) throws IOException {
        Descriptor root = source.resolve(name).orElseThrow();
        for (Digest d : source.reachableFrom(root)) {
            if (store.hasBlob(d)) {
                continue;
            }
            Path target = store.blobPath(d);
            Files.createDirectories(target.getParent());
            Path temp = store.newTempFile();
            Files.deleteIfExists(temp);
            try {
                Files.createLink(temp, source.blobPath(d));
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(source.blobPath(d), temp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        }
        store.tag(name, root);
        return root;
    }

    /** The image cannot be had; the operation fails with this message and changes nothing on hosts. */
    public static final class ImageUnavailable extends Exception {
        public ImageUnavailable(String message) {
            super(message);
        }
    }
}
