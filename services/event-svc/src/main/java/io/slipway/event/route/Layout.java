package io.slipway.event.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a receiver's JSON body, as in kubernetes-event-exporter: a tree of maps and lists whose string leaves
 * are {@link Template}s. Rendering builds the JSON value, so a message with quotes or newlines never breaks the JSON
 * (kube-eventer's string templates strip quotes from messages to avoid that).
 *
 * @param tree a {@link Template}, a {@code Map<String, Object>} or a {@code List<Object>} of such nodes
 */
public record Layout(Object tree) {

    public Object render(Map<String, Object> data) {
        return render(tree, data);
    }

    private static Object render(Object node, Map<String, Object> data) {
        if (node instanceof Template t) {
            return t.render(data);
        }
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put((String) k, render(v, data)));
            return out;
        }
        List<Object> out = new ArrayList<>();
        for (Object item : (List<?>) node) {
            out.add(render(item, data));
        }
        return out;
    }
}
