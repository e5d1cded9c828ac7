package io.slipway.testkit.kube;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.List;

/**
 * A refusal of the simulated API server, shaped like the real one's {@code metav1.Status} (apimachinery's
 * {@code errors.NewNotFound}, {@code NewConflict}, {@code NewInvalid}, ...): a client sees the same code, reason,
 * message and details as from a real cluster. Thrown from deep inside a write and answered as the response.
 */
final class ApiError extends RuntimeException {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** One field error of an {@code Invalid} status: {@code spec.containers[1].name: Duplicate value: "app"}. */
    record Cause(String reason, String field, String message) {
        static Cause required(String field) {
            return new Cause("FieldValueRequired", field, "Required value");
        }

        static Cause duplicate(String field, String value) {
            return new Cause("FieldValueDuplicate", field, "Duplicate value: \"" + value + "\"");
        }

        static Cause forbidden(String field, String detail) {
            return new Cause("FieldValueForbidden", field, "Forbidden: " + detail);
        }

        static Cause invalid(String field, Object value, String detail) {
            return new Cause("FieldValueInvalid", field, "Invalid value: " + value + ": " + detail);
        }

        String text() {
            return field + ": " + message;
        }
    }

    private final int code;
    private final ObjectNode status;

    private ApiError(int code, ObjectNode status) {
        super(status.path("message").asText());
        this.code = code;
        this.status = status;
    }

    int code() {
        return code;
    }

    ObjectNode status() {
        return status.deepCopy();
    }

    MockResponse response() {
        return new MockResponse().setResponseCode(code).setBody(SimulatedApiServer.writeJson(status));
    }

    static ApiError of(int code, String reason, String message, ObjectNode details) {
        ObjectNode status = NODES.objectNode();
        status.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
        status.put("status", "Failure").put("message", message).put("reason", reason);
        if (details != null) {
            status.set("details", details);
        }
        status.put("code", code);
        return new ApiError(code, status);
    }

    /** A Status a webhook answered, passed on as it is (apart from what the API server forces on it). */
    static ApiError fromStatus(ObjectNode status) {
        return new ApiError(status.path("code").asInt(), status);
    }

    private static ObjectNode details(SimulatedApiServer.ObjectKey key, String name) {
        ObjectNode details = NODES.objectNode();
        if (name != null && !name.isEmpty()) {
            details.put("name", name);
        }
        if (key != null && !key.group().isEmpty()) {
            details.put("group", key.group());
        }
        if (key != null) {
            details.put("kind", key.plural());
        }
        return details;
    }

    /** "pods" or "statefulsets.apps": how the API server names a resource in its messages. */
    static String qualified(SimulatedApiServer.ObjectKey key) {
        return key.group().isEmpty() ? key.plural() : key.plural() + "." + key.group();
    }

    static ApiError notFound(SimulatedApiServer.ObjectKey key) {
        return of(404, "NotFound", qualified(key) + " \"" + key.name() + "\" not found", details(key, key.name()));
    }

    static ApiError alreadyExists(SimulatedApiServer.ObjectKey key) {
        return of(409, "AlreadyExists", qualified(key) + " \"" + key.name() + "\" already exists", details(key, key.name()));
    }

    static ApiError conflict(SimulatedApiServer.ObjectKey key, String why) {
        return of(409, "Conflict", "Operation cannot be fulfilled on " + qualified(key) + " \"" + key.name() + "\": " + why,
                details(key, key.name()));
    }

    static ApiError modified(SimulatedApiServer.ObjectKey key) {
        return conflict(key, "the object has been modified; please apply your changes to the latest version and try again");
    }

    /** 422 {@code Kind "name" is invalid: cause} (one cause) or {@code ...: [cause, cause]} (several), as field.ErrorList prints. */
    static ApiError invalid(String kind, SimulatedApiServer.ObjectKey key, String name, List<Cause> causes) {
        String list = causes.size() == 1 ? causes.get(0).text()
                : "[" + String.join(", ", causes.stream().map(Cause::text).toList()) + "]";
        ObjectNode details = details(null, name);
        details.put("group", key.group()).put("kind", kind);
        ArrayNode array = details.putArray("causes");
        for (Cause c : causes) {
            array.addObject().put("reason", c.reason()).put("message", c.message()).put("field", c.field());
        }
        return of(422, "Invalid", kind + " \"" + name + "\" is invalid: " + list, details);
    }

    static ApiError internal(String message) {
        ObjectNode details = NODES.objectNode();
        details.putArray("causes").addObject().put("message", message);
        return of(500, "InternalError", "Internal error occurred: " + message, details);
    }

    static ApiError badRequest(String message) {
        return of(400, "BadRequest", message, null);
    }

    static ApiError methodNotAllowed(String message) {
        return of(405, "MethodNotAllowed", message, null);
    }

    static ApiError unsupportedMediaType(String contentType) {
        return of(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json (the simulated API server does not serve "
                + contentType + ")", null);
    }
}
