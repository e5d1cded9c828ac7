package io.slipway.cloudimage.build;

import io.slipway.oci.Digest;
import io.slipway.oci.DigestingOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * Fetches the http(s) sources of ADD and APP into the build's work directory, hashing on the way. Credentials in a
 * URL ({@code https://user:secret@host/...}) are used but never appear in a message.
 */
final class Downloads {

    /** A fetched file: its name in the image (the URL's last path segment) and its content digest. */
    record Download(Path file, String name, Digest digest, long size) {
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(30);

    private final HttpClient client;

    Downloads(HttpClient client) {
        this.client = client;
    }

    static HttpClient defaultClient() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    Download fetch(String url, Path dir) throws IOException {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new DownloadException("malformed URL " + redact(url));
        }
        String name = fileName(uri);
        HttpRequest.Builder request = HttpRequest.newBuilder(withoutUserInfo(uri)).timeout(REQUEST_TIMEOUT).GET();
        if (uri.getRawUserInfo() != null) {
            String basic = Base64.getEncoder().encodeToString(
                    URLDecoder.decode(uri.getRawUserInfo(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + basic);
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException("download of " + redact(url) + " was interrupted");
        } catch (IOException e) {
            throw new DownloadException("cannot download " + redact(url) + ": " + e.getMessage());
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new DownloadException("download of " + redact(url) + " answered HTTP " + response.statusCode());
            }
            Path file = Files.createTempFile(dir, "download-", ".part");
            DigestingOutputStream out;
            try (OutputStream raw = Files.newOutputStream(file)) {
                out = new DigestingOutputStream(raw);
                body.transferTo(out);
            } catch (IOException e) {
                throw new DownloadException("download of " + redact(url) + " broke off: " + e.getMessage());
            }
            return new Download(file, name, out.digest(), out.size());
        }
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
