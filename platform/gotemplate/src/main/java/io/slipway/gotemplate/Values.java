package io.slipway.gotemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** What a value is worth in a template: its truth, its text, its JSON, and Go's "no value" for a key that is not set. */
final class Values {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The value of a key that is not set; {@code key} is the key (for a strict printing error). */
    record NoValue(String key) {
        @Override
        public String toString() {
            return "<no value>";
        }
    }

    private Values() {
    }

    static boolean isMissing(Object v) {
        return v instanceof NoValue;
    }

    /** Go's truth: false, 0, "", nil, no value and empty collections are false; everything else true. */
    static boolean truthy(Object v) {
        if (v == null || v instanceof NoValue) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Go's {@code %v}: lists as {@code [a b]}, maps as {@code map[k:v]} in key order, nil as nothing. */
    static String goString(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Collection<?> c) {
            StringBuilder s = new StringBuilder("[");
            for (Object item : c) {
                s.append(s.length() > 1 ? " " : "").append(goString(item));
            }
            return s.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder s = new StringBuilder("map[");
            new TreeMap<>(stringKeys(m)).forEach((k, val) -> s.append(s.length() > 4 ? " " : "").append(k).append(':').append(goString(val)));
            return s.append(']').toString();
        }
        return scalar(v);
    }

    /** A scalar's text: a whole double without its ".0", as Go prints it. */
    static String scalar(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e21) {
            return String.valueOf(d.longValue());
        }
        return v.toString();
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, val) -> out.put(String.valueOf(k), val));
        return out;
    }

    static String json(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value instanceof NoValue ? null : value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }
}
