package io.slipway.cloudimage.layer;

import io.slipway.oci.Descriptor;
import io.slipway.oci.store.ImageStore;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The directories an image's layers add up to, so that {@code COPY helm /bin} copies into /bin when the base image
 * has that directory, as Docker and sealer do. Reading a layer costs a pass over its tar headers (content is skipped).
 */
public final class DirectorySet {

    private final NavigableSet<String> dirs = new TreeSet<>(LayerPlan.TAR_ORDER);

    public boolean contains(String path) {
        return path.isEmpty() || dirs.contains(path);
    }

    public void applyLayer(ImageStore store, Descriptor layer) throws IOException {
        try (InputStream raw = store.openBlob(layer.digest()); TarArchiveInputStream tar = TarInput.open(raw)) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                String name = e.getName();
                while (name.startsWith("./") || name.startsWith("/")) {
                    name = name.substring(name.startsWith("./") ? 2 : 1);
                }
                boolean directory = e.isDirectory();
                ImagePath.normalize(name).ifPresent(rel -> apply(rel, directory));
            }
        }
    }

    public void applyPlan(LayerPlan plan) {
        for (Map.Entry<String, LayerPlan.Entry> e : plan.entries().entrySet()) {
            apply(e.getKey(), e.getValue() instanceof LayerPlan.Directory);
        }
    }

    private void apply(String rel, boolean directory) {
        if (rel.isEmpty()) {
            return;
        }
        int slash = rel.lastIndexOf('/');
        String dir = slash < 0 ? "" : rel.substring(0, slash);
        String base = rel.substring(slash + 1);
        if (base.equals(LayerPlan.OPAQUE)) {
            removeBelow(dir);
        } else if (base.startsWith(LayerPlan.WHITEOUT_PREFIX)) {
            String deleted = (dir.isEmpty() ? "" : dir + "/") + base.substring(LayerPlan.WHITEOUT_PREFIX.length());
            dirs.remove(deleted);
            removeBelow(deleted);
        } else if (directory) {
            dirs.add(rel);
        } else {
            dirs.remove(rel);
            removeBelow(rel);
        }
    }

    private void removeBelow(String dir) {
        if (dir.isEmpty()) {
            dirs.clear();
            return;
        }
        String below = dir + "/";
        dirs.subSet(below, true, below + Character.MAX_VALUE, true).clear();
    }
}
