package io.slipway.event.route;

import io.slipway.events.kube.KubeEvent;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One match or drop rule of a route, as kubernetes-event-exporter has them: every condition given must hold; each is
 * a regular expression searched in the field ({@code Warning}, {@code ^Pod$}, {@code Back-?off}); labels and
 * annotations must be present on the involved object and match; the occurrence count must reach {@code minCount}. A
 * match rule may name the receiver the event goes to.
 */
public record Rule(Map<Field, Pattern> fields, Map<String, Pattern> labels, Map<String, Pattern> annotations, int minCount,
                   String receiver) {

    /** The event fields a rule can test, by their name in the configuration. */
    public enum Field {
        TYPE("type", KubeEvent::getType),
        REASON("reason", KubeEvent::getReason),
        KIND("kind", KubeEvent::getInvolvedKind),
        NAMESPACE("namespace", EventView::namespace),
        NAME("name", KubeEvent::getInvolvedName),
        API_VERSION("apiVersion", KubeEvent::getInvolvedApiVersion),
        COMPONENT("component", KubeEvent::getSource),
        HOST("host", KubeEvent::getSourceHost),
        CLUSTER("cluster", KubeEvent::getCluster),
        MESSAGE("message", KubeEvent::getMessage);

        private final String key;
        private final Function<KubeEvent, String> value;

        Field(String key, Function<KubeEvent, String> value) {
            this.key = key;
            this.value = value;
        }

        public String key() {
            return key;
        }

        String of(KubeEvent event) {
            String v = value.apply(event);
            return v == null ? "" : v;
        }
    }

    public Rule {
        fields = Map.copyOf(fields);
        labels = Map.copyOf(labels);
        annotations = Map.copyOf(annotations);
    }

    public boolean matches(KubeEvent event) {
        for (Map.Entry<Field, Pattern> f : fields.entrySet()) {
            if (!f.getValue().matcher(f.getKey().of(event)).find()) {
                return false;
            }
        }
        return present(labels, event.getInvolvedLabels()) && present(annotations, event.getInvolvedAnnotations())
                && event.getCount() >= minCount;
    }

    private static boolean present(Map<String, Pattern> wanted, Map<String, String> actual) {
        for (Map.Entry<String, Pattern> w : wanted.entrySet()) {
            String v = actual == null ? null : actual.get(w.getKey());
            if (v == null || !w.getValue().matcher(v).find()) {
                return false;
            }
        }
        return true;
    }
}
