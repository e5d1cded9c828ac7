package io.slipway.cli.dist;

import io.slipway.oci.Descriptor;
import io.slipway.oci.Reference;
import io.slipway.oci.registry.BlobOutcome;
import io.slipway.oci.registry.ImageTransfer;
import io.slipway.oci.registry.TransferListener;
import io.slipway.oci.store.ImageStore;
import java.io.IOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes built images to a registry under {@code <registry>/slipway/<name>} with one or more tags, counting what each
 * push sent, what the registry had already and what it mounted from the base image's repository.
 */
final class DistPush {

    /** Blobs and bytes per outcome of one image's push. */
    record Pushed(Reference reference, Descriptor root, Map<BlobOutcome, Long> blobs, Map<BlobOutcome, Long> bytes) {

        long blobs(BlobOutcome outcome) {
            return blobs.getOrDefault(outcome, 0L);
        }

        long bytes(BlobOutcome outcome) {
            return bytes.getOrDefault(outcome, 0L);
        }
    }

    private final ImageTransfer transfer;
    private final ImageStore store;
    private final String registry;

    DistPush(ImageTransfer transfer, ImageStore store, String registry) {
        this.transfer = transfer;
        this.store = store;
        this.registry = registry;
    }

    static String repository(String name) {
        return "slipway/" + name;
    }

    /**
     * Pushes {@code localName} as {@code slipway/<name>} with every tag of {@code tags} (blobs go with the first; the
     * others only add the index under another tag). Blobs the repository lacks are mounted from {@code mountFrom}, a
     * repository of the same registry, when it has them.
     */
    Pushed push(String localName, String name, List<String> tags, String mountFrom) throws IOException {
        Map<BlobOutcome, Long> blobs = new EnumMap<>(BlobOutcome.class);
        Map<BlobOutcome, Long> bytes = new EnumMap<>(BlobOutcome.class);
        TransferListener counting = new TransferListener() {
            @Override
            public void blobFinished(Descriptor blob, BlobOutcome outcome) {
                synchronized (blobs) {
                    blobs.merge(outcome, 1L, Long::sum);
                    bytes.merge(outcome, blob.size(), Long::sum);
                }
            }
        };
        Reference first = Reference.parse(registry + "/" + repository(name) + ":" + tags.get(0));
        var result = transfer.push(store, localName, first, mountFrom, counting);
        for (String tag : tags.subList(1, tags.size())) {
            transfer.push(store, localName, first.withTag(tag), null, TransferListener.NONE);
        }
        return new Pushed(first, result.root(), Map.copyOf(blobs), Map.copyOf(bytes));
    }
}
