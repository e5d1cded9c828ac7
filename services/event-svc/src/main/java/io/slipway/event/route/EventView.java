package io.slipway.event.route;

import io.slipway.events.kube.KubeEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What templates see of a {@link KubeEvent}: the field names of a Kubernetes Event as Go templates in kube-eventer and
 * kubernetes-event-exporter spell them ({@code .Type}, {@code .Reason}, {@code .InvolvedObject.Kind}, {@code
 * .Source.Host}, {@code .LastTimestamp}), so a layout written for them works here unchanged; and the JSON document a
 * store receives when no layout is given.
 */
public final class EventView {
    private EventView() {
    }

    /** Template data: Go field names. */
    public static Map<String, Object> of(KubeEvent e) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("UID", e.getUid());
        view.put("Cluster", e.getCluster());
        view.put("Namespace", namespace(e));
        view.put("Type", e.getType());
        view.put("Reason", e.getReason());
        view.put("Message", e.getMessage());
        view.put("Count", e.getCount());
        view.put("FirstTimestamp", iso(e.getFirstSeen()));
        view.put("LastTimestamp", iso(e.getLastSeen()));
        view.put("GetTimestampMs", e.getLastSeen() == null ? null : e.getLastSeen().toEpochMilli());
        view.put("GetTimestampISO8601", iso(e.getLastSeen()));
        Map<String, Object> involved = new LinkedHashMap<>();
        involved.put("Kind", e.getInvolvedKind());
        involved.put("Name", e.getInvolvedName());
        involved.put("Namespace", e.getInvolvedNamespace() != null ? e.getInvolvedNamespace() : e.getNamespace());
        involved.put("UID", e.getInvolvedUid());
        involved.put("APIVersion", e.getInvolvedApiVersion());
        involved.put("Labels", sorted(e.getInvolvedLabels()));
        involved.put("Annotations", sorted(e.getInvolvedAnnotations()));
        view.put("InvolvedObject", involved);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("Component", e.getSource());
        source.put("Host", e.getSourceHost());
        view.put("Source", source);
        view.put("ApiGroup", e.getApiGroup());
        view.put("ResourceVersion", e.getResourceVersion());
        return view;
    }

    /** The event as a JSON document (camelCase, as the Kubernetes API writes it) for stores and streams. */
    public static Map<String, Object> document(KubeEvent e) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("uid", e.getUid());
        doc.put("cluster", e.getCluster());
        doc.put("namespace", namespace(e));
        doc.put("type", e.getType());
        doc.put("reason", e.getReason());
        doc.put("message", e.getMessage());
        doc.put("count", e.getCount());
        doc.put("firstTimestamp", iso(e.getFirstSeen()));
        doc.put("lastTimestamp", iso(e.getLastSeen()));
        Map<String, Object> involved = new LinkedHashMap<>();
        involved.put("kind", e.getInvolvedKind());
        involved.put("name", e.getInvolvedName());
        involved.put("namespace", e.getInvolvedNamespace() != null ? e.getInvolvedNamespace() : e.getNamespace());
        involved.put("uid", e.getInvolvedUid());
        involved.put("apiVersion", e.getInvolvedApiVersion());
        involved.put("labels", sorted(e.getInvolvedLabels()));
        involved.put("annotations", sorted(e.getInvolvedAnnotations()));
        doc.put("involvedObject", involved);
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("component", e.getSource());
        source.put("host", e.getSourceHost());
        doc.put("source", source);
        doc.put("apiGroup", e.getApiGroup());
        doc.put("resourceVersion", e.getResourceVersion());
        return doc;
    }

    /** The occurrence's identity: event uid and count. Receivers that can deduplicate use it as the document id. */
    public static String occurrenceId(KubeEvent e) {
        return e.getUid() + "-" + e.getCount();
    }

    /** The event's namespace, or its involved object's for events recorded without one. */
    public static String namespace(KubeEvent e) {
        return e.getNamespace() != null ? e.getNamespace() : e.getInvolvedNamespace();
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }

    private static Map<String, String> sorted(Map<String, String> m) {
        return m == null ? Map.of() : new TreeMap<>(m);
    }
}
