package io.slipway.build.context;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * Where a build context comes from: a git repository at a revision ({@code git+<url>#<revision>}, https or ssh) or an
 * archive uploaded earlier ({@code archive:<sha256 hex>}). A git URL never carries a secret: it is stored, shown to
 * viewers and put into events, so credentials are configured for the host instead ({@code slipway.build.git-credentials}).
 */
public sealed interface ContextSource {

    Pattern ARCHIVE_ID = Pattern.compile("[a-f0-9]{64}");
    Pattern REVISION = Pattern.compile("[A-Za-z0-9._/-]{1,200}");

    /** {@code url} has no password or token; an ssh URL may name the user ({@code ssh://git@host/repo.git}). */
    record Git(String url, String revision) implements ContextSource {
        /** The host, as {@code slipway.build.git-credentials} is keyed. */
        public String host() {
            return URI.create(url).getHost();
        }

        @Override
        public String toString() {
            return "git+" + url + "#" + revision;
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
            URI uri;
            try {
                uri = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("git context URL is malformed");
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("https") || scheme.equals("ssh"))) {
                // http and git:// send everything in the clear, file:// reads build-svc's own disk
                throw new IllegalArgumentException("git context URL must use https or ssh");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("git context URL names no host");
            }
            String userInfo = uri.getRawUserInfo();
            if (userInfo != null && (scheme.equals("https") || userInfo.contains(":"))) {
                // the message never repeats the URL: its user part is the secret
                throw new IllegalArgumentException("git context URL must not carry credentials (user:password@ or token@ before " + uri.getHost()
                        + "): it is stored and shown to viewers; configure them for the host in slipway.build.git-credentials.\"" + uri.getHost()
                        + "\".username and .password");
            }
            return new Git(url, revision);
        }
        throw new IllegalArgumentException("context must be git+<url>#<revision> or archive:<id>");
    }
}
