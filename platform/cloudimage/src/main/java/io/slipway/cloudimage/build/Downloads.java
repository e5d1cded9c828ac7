package io.slipway.cloudimage.build;

import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;
import io.slipway.outbound.OutboundHttp;
import io.slipway.outbound.OutboundPolicy;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.support.ClassicRequestBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * Fetches the http(s) sources of ADD and APP into the build's work directory, hashing on the way. Credentials in a
 * URL ({@code https://user:secret@host/...}) are used but never appear in a message, and go over https only. Every
 * address, the first and each redirect's, is checked against the outbound policy; redirects are followed here (at
 * most {@value #MAX_REDIRECTS}), the credentials only while the origin stays the same, never from https to http. The
 * connection goes to the address the policy admitted ({@link OutboundHttp}), never to a second answer for the name.
 */
final class Downloads {

    /** A fetched file: its name in the image (the URL's last path segment) and its content digest. */
    record Download(Path file, String name, Digest digest, long size) {
    }

    /** How long connecting, and each wait for the next bytes of an answer, may take. */
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    static final int MAX_REDIRECTS = 5;

    private final OutboundPolicy outbound;

    Downloads(OutboundPolicy outbound) {
        this.outbound = outbound;
    }

    Download fetch(String url, Path dir) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new DownloadException("malformed URL " + redact(url));
        }
        String name = fileName(uri);
        String authorization = null;
        if (uri.getRawUserInfo() != null) {
            authorization = "Basic " + Base64.getEncoder().encodeToString(
                    URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
        }
        URI at = withoutUserInfo(uri);
        String what = "download of " + redact(url);
        try (CloseableHttpClient client = OutboundHttp.client(outbound, what, TIMEOUT)) {
            for (int hop = 0; ; hop++) {
                try {
                    outbound.check(at, what, authorization != null);
                } catch (OutboundPolicy.Refused e) {
                    throw new DownloadException(e.getMessage());
                }
                ClassicRequestBuilder request = ClassicRequestBuilder.get(at);
                if (authorization != null) {
                    request.setHeader("Authorization", authorization);
                }
                try (ClassicHttpResponse answer = open(client, request, url)) {
                    Header location = answer.getFirstHeader("Location");
                    if (answer.getCode() / 100 == 3 && location != null) {
                        if (hop >= MAX_REDIRECTS) {
                            throw new DownloadException(what + " was redirected more than " + MAX_REDIRECTS + " times");
                        }
                        URI next = at.resolve(location.getValue());
                        if ("https".equalsIgnoreCase(at.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                            throw new DownloadException(what + " was redirected from https to " + next.getScheme());
                        }
                        if (!sameOrigin(at, next)) {
                            authorization = null; // another host never sees the credentials given for this one
                        }
                        at = withoutUserInfo(next);
                        continue;
                    }
                    if (answer.getCode() / 100 != 2) {
                        throw new DownloadException(what + " answered HTTP " + answer.getCode());
                    }
                    return save(answer, dir, name, what);
                }
            }
        }
    }

    private static ClassicHttpResponse open(CloseableHttpClient client, ClassicRequestBuilder request, String url) {
        try {
            return client.executeOpen(null, request.build(), null);
        } catch (OutboundPolicy.Refused e) {
            throw new DownloadException(e.getMessage());
        } catch (java.io.InterruptedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new DownloadException("download of " + redact(url) + " was interrupted");
            }
            throw new DownloadException("cannot download " + redact(url) + ": " + e.getMessage());
        } catch (IOException e) {
            throw new DownloadException("cannot download " + redact(url) + ": " + e.getMessage());
        }
    }

    private static Download save(ClassicHttpResponse answer, Path dir, String name, String what) throws IOException {
        Path file = Files.createTempFile(dir, "download-", ".part");
        DigestingOutputStream out;
        try (OutputStream raw = Files.newOutputStream(file); InputStream body = answer.getEntity() == null ? InputStream.nullInputStream()
                : answer.getEntity().getContent()) {
            out = new DigestingOutputStream(raw);
            body.transferTo(out);
        } catch (IOException e) {
            throw new DownloadException(what + " broke off: " + e.getMessage());
        }
        return new Download(file, name, out.digest(), out.size());
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    private static String fileName(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        String name = URLDecoder.decode(last, StandardCharsets.UTF_8);
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
            throw new DownloadException("cannot tell a file name from " + redact(uri.toString())
                    + "; its path must end with one");
        }
        return name;
    }

    private static URI withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri;
        }
        return URI.create(uri.toString().replace(uri.getRawUserInfo() + "@", ""));
    }

    /** The URL with any user info replaced, for messages. */
    static String redact(String url) {
        return url.replaceFirst("^(https?://)[^/@]*@", "$1***@");
    }

    /** A source that could not be fetched; the builder names the instruction. */
    static final class DownloadException extends RuntimeException {
        DownloadException(String message) {
            super(message);
        }
    }
}
