package io.slipway.oci.sync;

import io.slipway.oci.Digest;

import java.util.List;
import java.util.regex.Pattern;

/** Which images of a source repository a rule syncs. */
public sealed interface TagSelector {

    /** Every tag the repository lists. */
    record AllTags() implements TagSelector {
        @Override
        public String toString() {
            return "all tags";
        }
    }

    /** These tags ({@code repo:v1,v2}). */
    record Listed(List<String> tags) implements TagSelector {
        public Listed {
            tags = List.copyOf(tags);
        }

        @Override
        public String toString() {
            return String.join(",", tags);
        }
    }

    /** Tags in which the pattern is found ({@code repo:/regex/}); anchor it with ^ and $ to match whole tags. */
    record Matching(Pattern pattern) implements TagSelector {
        public boolean matches(String tag) {
            return pattern.matcher(tag).find();
        }

        @Override
        public String toString() {
            return "/" + pattern.pattern() + "/";
        }
    }

    /** One manifest by digest ({@code repo@sha256:...}). */
    record Pinned(Digest digest) implements TagSelector {
        @Override
        public String toString() {
            return digest.toString();
        }
    }
}
