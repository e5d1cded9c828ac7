package io.slipway.workload.conversion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.workload.component.Component;
import io.slipway.workload.component.ComponentConversion;
import io.slipway.workload.kruise.broadcastjob.BroadcastJob;
import io.slipway.workload.kruise.broadcastjob.BroadcastJobConversion;
import io.slipway.workload.kruise.sidecarset.SidecarSet;
import io.slipway.workload.kruise.sidecarset.SidecarSetConversion;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The custom resources workload-svc converts between their versions, by group and kind, each with its pure converter.
 * Answers a ConversionReview's request as the API server expects: every object converted, or none and the reason.
 */
public final class Conversions {
    /** A kind's converter: the object in the desired apiVersion; IllegalArgumentException for a version it lacks. */
    private static final Map<String, BiFunction<String, ObjectNode, ObjectNode>> CONVERTERS = Map.of(
            BroadcastJob.GROUP + "/" + BroadcastJob.KIND, (apiVersion, object) -> BroadcastJobConversion.to(apiVersion, object),
            SidecarSet.GROUP + "/" + SidecarSet.KIND, (apiVersion, object) -> SidecarSetConversion.to(apiVersion, object),
            Component.GROUP + "/" + Component.KIND, (apiVersion, object) -> ComponentConversion.to(apiVersion, object));

    private Conversions() {
    }

    /** The converted objects, or an error a user can act on. */
    public sealed interface Outcome {
    }

    public record Converted(List<ObjectNode> objects) implements Outcome {
    }

    public record Refused(String message) implements Outcome {
    }

    /** Converts every object to {@code desiredApiVersion}; refuses all when one cannot be (the API server needs all or none). */
    public static Outcome convert(String desiredApiVersion, List<JsonNode> objects) {
        if (desiredApiVersion == null || desiredApiVersion.isBlank()) {
            return new Refused("the request names no desiredAPIVersion");
        }
        List<ObjectNode> converted = new java.util.ArrayList<>(objects.size());
        for (JsonNode o : objects) {
            if (!(o instanceof ObjectNode object)) {
                return new Refused("an object to convert is not a JSON object: " + clip(String.valueOf(o)));
            }
            String apiVersion = object.path("apiVersion").asText();
            String kind = object.path("kind").asText();
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String desiredGroup = desiredApiVersion.contains("/") ? desiredApiVersion.substring(0, desiredApiVersion.indexOf('/')) : "";
            String name = describe(object);
            var converter = CONVERTERS.get(group + "/" + kind);
            if (converter == null) {
                return new Refused("cannot convert " + kind + " " + name + " (" + apiVersion + "): workload-svc converts only "
                        + String.join(", ", new java.util.TreeSet<>(CONVERTERS.keySet())));
            }
            if (!group.equals(desiredGroup)) {
                return new Refused("cannot convert " + kind + " " + name + " from group " + group + " to " + desiredApiVersion);
            }
            try {
                converted.add(converter.apply(desiredApiVersion, object));
            } catch (IllegalArgumentException e) {
                return new Refused("cannot convert " + kind + " " + name + " to " + desiredApiVersion + ": " + e.getMessage());
            }
        }
        return new Converted(converted);
    }

    private static String describe(ObjectNode object) {
        JsonNode meta = object.path("metadata");
        String ns = meta.path("namespace").asText("");
        return (ns.isEmpty() ? "" : ns + "/") + meta.path("name").asText("<unnamed>");
    }

    private static String clip(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
