package io.slipway.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.cli.UserError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** The platform's REST API as the CLI uses it: JSON in and out, uploads, downloads and Server-Sent Events. */
public final class PlatformClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String base;
    private final String bearer;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public PlatformClient(String base, String bearer) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.bearer = bearer;
    }

    public JsonNode get(String path) {
        return json(send(request(path).GET()));
    }

    /** GETs {@code path}; empty on 404, so the caller can say what is missing in the user's words. */
    public Optional<JsonNode> find(String path) {
        HttpResponse<InputStream> response = exchange(request(path).GET());
        if (response.statusCode() == 404) {
            try (InputStream in = response.body()) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the answer is 404 whatever its body said
            }
            return Optional.empty();
        }
        return Optional.of(json(read(response)));
    }

    public JsonNode post(String path, Object body) {
        return json(send(request(path).header("Content-Type", "application/json").POST(bodyOf(body))));
    }

    public JsonNode postText(String path, String contentType, String body) {
        return json(send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    /** POSTs JSON and follows the Server-Sent Events the server answers with. */
    public void streamPost(String path, Object body, Consumer<String> onData) {
        follow(request(path).header("Content-Type", "application/json").header("Accept", "text/event-stream").POST(bodyOf(body)), path, onData);
    }

    public JsonNode put(String path, Object body) {
        return json(send(request(path).header("Content-Type", "application/json").PUT(bodyOf(body))));
    }

    public JsonNode delete(String path) {
        return json(send(request(path).DELETE()));
    }

    public JsonNode upload(String path, String contentType, Path file) {
        try {
            return json(send(request(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofFile(file))));
        } catch (IOException e) {
            throw new UserError("cannot read " + file + ": " + e.getMessage());
        }
    }

    public void download(String path, Path target) {
        HttpResponse<InputStream> response = exchange(request(path).GET());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw failure(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            Path part = target.resolveSibling(target.getFileName() + ".part");
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError("download of " + path + " failed: " + e.getMessage());
        }
    }

    /** Follows a Server-Sent Events stream, handing each event's data to {@code onData}, until the server ends it. */
    public void follow(String path, Consumer<String> onData) {
        follow(request(path).header("Accept", "text/event-stream").GET(), path, onData);
    }

    private void follow(HttpRequest.Builder builder, String path, Consumer<String> onData) {
        HttpResponse<InputStream> response = exchange(builder);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() / 100 != 2) {
                throw failure(response.statusCode(), reader.lines().reduce("", String::concat));
            }
            StringBuilder data = new StringBuilder();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("data:")) {
                    data.append(data.isEmpty() ? "" : "\n").append(line.substring(line.startsWith("data: ") ? 6 : 5));
                } else if (line.isEmpty() && !data.isEmpty()) {
                    onData.accept(data.toString());
                    data.setLength(0);
                }
            }
            if (!data.isEmpty()) {
                onData.accept(data.toString());
            }
        } catch (IOException e) {
            throw new UserError("the stream " + path + " broke: " + e.getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + bearer);
    }

    private static HttpRequest.BodyPublisher bodyOf(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private String send(HttpRequest.Builder builder) {
        return read(exchange(builder));
    }

    private static String read(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (response.statusCode() / 100 != 2) {
                throw failure(response.statusCode(), body);
            }
            return body;
        } catch (IOException e) {
            throw new UserError("reading the answer of " + response.uri().getPath() + " failed: " + e.getMessage());
        }
    }

    private HttpResponse<InputStream> exchange(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException e) {
            throw new UserError("cannot reach the platform at " + base + " (is it up? slipway status)");
        } catch (IOException e) {
            throw new UserError(request.method() + " " + request.uri().getPath() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        }
    }

    private static JsonNode json(String body) {
        try {
            return body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(body);
        }
    }

    /** The service's own words for what went wrong ({"error", "field"}), not a stack trace. */
    private static UserError failure(int status, String body) {
        String message = body;
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.has("error")) {
                message = node.get("error").asText() + (node.hasNonNull("field") ? " (field " + node.get("field").asText() + ")" : "");
            }
        } catch (IOException ignored) {
            // not JSON: show it as it is
        }
        String why = switch (status) {
            case 401 -> "not authenticated: ";
            case 403 -> "not allowed: ";
            case 404 -> "not found: ";
            default -> "";
        };
        return new UserError(why + (message.isBlank() ? "HTTP " + status : message));
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
