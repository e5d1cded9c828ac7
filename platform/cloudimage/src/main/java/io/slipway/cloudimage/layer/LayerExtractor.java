package io.slipway.cloudimage.layer;

import io.slipway.oci.Descriptor;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Materializes image layers into a directory, in order, applying whiteouts: how RUN gets the image's root filesystem
 * and how the offline-image step gets the applications to scan. Layers may come from any registry, so entries are
 * checked like archives ('..' refused, nothing written through a link out); absolute link targets are kept since
 * they mean the image's own root.
 */
public final class LayerExtractor {

    private LayerExtractor() {
    }

    /** Applies {@code layers} to {@code root}, keeping only paths {@code wanted} accepts. */
    public static void apply(ImageStore store, List<Descriptor> layers, Path root, Predicate<String> wanted) throws IOException {
        TreeWriter writer = new TreeWriter(root);
        for (Descriptor layer : layers) {
            try (InputStream raw = store.openBlob(layer.digest()); TarArchiveInputStream tar = TarInput.open(raw)) {
                apply(tar, writer, wanted, layer.digest().toString());
            }
        }
    }

    private static void apply(TarArchiveInputStream tar, TreeWriter writer, Predicate<String> wanted, String layer)
            throws IOException {
        Set<String> written = new HashSet<>();
        for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
            String rel = name(layer, entry.getName());
            if (rel.isEmpty() || !wanted.test(rel)) {
                continue;
            }
            int slash = rel.lastIndexOf('/');
            String dir = slash < 0 ? "" : rel.substring(0, slash);
            String base = rel.substring(slash + 1);
            if (base.equals(LayerPlan.OPAQUE)) {
                clearExcept(writer, dir, written);
            } else if (base.startsWith(LayerPlan.WHITEOUT_PREFIX)) {
                String deleted = (dir.isEmpty() ? "" : dir + "/") + base.substring(LayerPlan.WHITEOUT_PREFIX.length());
                TreeWriter.deleteRecursively(writer.inside(deleted));
            } else if (entry.isLink()) {
                writer.writeHardLink(rel, name(layer, entry.getLinkName()));
                written.add(rel);
            } else if (writer.write(rel, entry, tar)) {
                written.add(rel);
            }
        }
    }

    /** An opaque directory: what lower layers put there goes, what this layer already wrote there stays. */
    private static void clearExcept(TreeWriter writer, String dir, Set<String> written) throws IOException {
        Path d = dir.isEmpty() ? writer.root() : writer.inside(dir);
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var children = Files.list(d)) {
            for (Path child : children.toList()) {
                String rel = writer.root().relativize(child).toString();
                if (!written.contains(rel)) {
                    TreeWriter.deleteRecursively(child);
                }
            }
        }
    }

    private static String name(String layer, String entryName) {
        String n = entryName;
        while (n.startsWith("./") || n.startsWith("/")) {
            n = n.substring(n.startsWith("./") ? 2 : 1);
        }
        Optional<String> rel = ImagePath.normalize(n);
        if (rel.isEmpty()) {
            throw new ContextException("layer " + layer + ": entry " + entryName + " climbs out of the root with '..'");
        }
        return rel.get();
    }
}
