package io.slipway.oci.sync;

import java.util.List;

/**
 * One line of the rules: a source repository with its tag selection, copied to one or more destinations.
 *
 * @param line the line of the rules file it came from, for messages
 */
public record SyncRule(int line, Source source, List<Destination> destinations) {

    public SyncRule {
        destinations = List.copyOf(destinations);
    }

    /** Where images come from. */
    public record Source(String registry, String repository, TagSelector tags) {
        @Override
        public String toString() {
            String base = registry + "/" + repository;
            return switch (tags) {
                case TagSelector.AllTags a -> base;
                case TagSelector.Pinned p -> base + "@" + p.digest();
                default -> base + ":" + tags;
            };
        }
    }

    /** Where they go; a tag only when the source names exactly one image (then it is renamed to this tag). */
    public record Destination(String registry, String repository, String tag) {
        @Override
        public String toString() {
            return registry + "/" + repository + (tag == null ? "" : ":" + tag);
        }
    }
}
