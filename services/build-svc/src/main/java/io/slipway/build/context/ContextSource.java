package io.slipway.build.context;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Where a build context comes from: a git repository at a revision ({@code git+<url>#<revision>}) or an archive
 * uploaded earlier ({@code archive:<sha256 hex>}).
 */
public sealed interface ContextSource {

    Pattern ARCHIVE_ID = Pattern.compile("[a-f0-9]{64}");
    Pattern REVISION = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

    record Git(String url, String revision) implements ContextSource {
        /** The URL without any user:password part, for logs and errors. */
        public String redactedUrl() {
            return url.replaceFirst("//[^/@]*@", "//***@");
        }

        @Override
        public String toString() {
            return "git+" + redactedUrl() + "#" + revision;
        }
    }

    record Archive(String id) implements ContextSource {
        @Override
        public String toString() {
            return "archive:" + id;
        }
    }

    static ContextSource parse(String text) {
        if (text.startsWith("archive:")) {
            String id = text.substring("archive:".length());
            if (!ARCHIVE_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("archive:<id> needs the 64-hex id POST /api/v1/builds/contexts returned");
            }
            return new Archive(id);
        }
        if (text.startsWith("git+")) {
            int hash = text.lastIndexOf('#');
            if (hash < 0 || hash == text.length() - 1) {
                throw new IllegalArgumentException("git context needs a revision: git+<url>#<branch, tag or commit>");
            }
            String url = text.substring(4, hash);
            String revision = text.substring(hash + 1);
            if (!REVISION.matcher(revision).matches() || revision.startsWith("-")) {
                throw new IllegalArgumentException("'" + revision + "' is not a git revision");
            }
            String scheme;
            try {
                scheme = URI.create(url).getScheme();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("git context URL is malformed");
            }
            if (scheme == null || !(scheme.equals("https") || scheme.equals("http") || scheme.equals("ssh")
                    || scheme.equals("git") || scheme.equals("file"))) {
                throw new IllegalArgumentException("git context URL must use https, http, ssh, git or file");
            }
            return new Git(url, revision);
        }
        throw new IllegalArgumentException("context must be git+<url>#<revision> or archive:<id>");
    }
}
