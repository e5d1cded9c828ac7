package io.slipway.event.route;

import io.slipway.backbone.EventContext;
import java.util.List;
import java.util.Optional;

/**
 * Where the versions of the routing document are kept, shared by every instance of the service (its database): each
 * new version is stored together with the {@code RoutesChanged} event that tells the other instances, in one
 * transaction. Calls block; they are made from worker threads, never an event loop.
 */
public interface RouteVersions {

    /** The newest version, or none before the first write. */
    Optional<StoredRoutes> newest();

    /**
     * Stores {@code text} as the next version, with its {@code RoutesChanged} event, unless that would change nothing
     * ({@link #changesNothing}). Writers are serialized, so instances importing the same file at once store it once.
     *
     * @param receivers the document's receivers' names, which the event carries (never the document)
     * @param changedBy the operator, or {@link StoredRoutes#importedFrom} for a document read from a routes file
     * @return the version stored, or empty when nothing was
     */
    Optional<StoredRoutes> append(String text, List<String> receivers, String changedBy, EventContext context);

    /**
     * The rule of {@link #append}: a document changes nothing when it is the newest version already, or when it comes
     * from a file and is what that file gave last. That file has not changed since, so a later write through the API
     * stands until the file changes again (a file that still holds what was imported is no reason to go back to it).
     *
     * @param newest           the newest version's digest
     * @param lastFromSameFile for an import, the digest of the last version imported from the same file
     */
    static boolean changesNothing(String digest, Optional<String> newest, Optional<String> lastFromSameFile) {
        return newest.map(digest::equals).orElse(false) || lastFromSameFile.map(digest::equals).orElse(false);
    }
}
