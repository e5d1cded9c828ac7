package io.slipway.event.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keeps tokens, signing secrets and passwords of the routing configuration out of what the service shows: the text
 * returned by GET has every secret replaced by {@value #MASK} (in URLs only the secret part: {@code
 * access_token=******}, the path of a Slack or Lark hook), while comments and layout stay as written. A configuration
 * sent back with masked values keeps the stored secrets, so one can read, edit and write it back without knowing them.
 */
public final class Secrets {
    public static final String MASK = "******";
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i).*(token|secret|sign|password|passwd|pwd|key|credential|auth).*");
    private static final Pattern SECRET_HEADER = Pattern.compile("(?i)(authorization|proxy-authorization|cookie|.*(token|secret|key|password|auth|signature).*)");
    private static final Pattern HOOK_SEGMENT = Pattern.compile("(?i)hooks?|webhooks|services");

    private Secrets() {
    }

    /**
     * A secret-bearing scalar of the document: where it is, what was written, how to mask it, and where its receiver
     * sends (masked), to which a kept secret stays bound.
     */
    public record Field(String key, String raw, int start, int end, boolean url, String destination) {
        String masked() {
            return url ? maskUrl(raw) : MASK;
        }

        Field to(String destination) {
            return new Field(key, raw, start, end, url, destination);
        }
    }

    /** The document with every secret masked in place. */
    public static String mask(String text, List<Field> secrets) {
        return replace(text, secrets, Field::masked);
    }

    /**
     * The document with masked secrets put back from the current configuration's; a masked value that cannot be put
     * back (new receiver, the parts around the mask changed, or its receiver now sends somewhere else) is an error
     * naming the field: a kept secret goes only where it went before, so no one can redirect a secret they cannot read.
     */
    public static String restore(String text, List<Field> secrets, List<Field> current, Function<Field, ConfigError> unknown) {
        Map<String, Field> byKey = current.stream().collect(Collectors.toMap(Field::key, f -> f, (a, b) -> a));
        List<Field> masked = secrets.stream().filter(f -> f.raw().contains(MASK)).toList();
        Map<Field, String> values = new java.util.HashMap<>();
        for (Field f : masked) {
            Field old = byKey.get(f.key());
            if (old == null || !old.masked().equals(f.raw()) || !java.util.Objects.equals(old.destination(), f.destination())) {
                throw unknown.apply(f);
            }
            values.put(f, old.raw());
        }
        return replace(text, masked, values::get);
    }

    private static String replace(String text, List<Field> fields, Function<Field, String> value) {
        List<Field> ordered = new ArrayList<>(fields);
        ordered.sort(Comparator.comparingInt(Field::start).reversed());
        StringBuilder out = new StringBuilder(text);
        for (Field f : ordered) {
            out.replace(f.start(), f.end(), quoted(value.apply(f)));
        }
        return out.toString();
    }

    /** A YAML double-quoted scalar. */
    static String quoted(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> q.append(c);
            }
        }
        return q.append('"').toString();
    }

    /**
     * A URL with its secrets masked: the password of its user info, query values whose names speak of tokens, keys,
     * signatures or passwords, and the path after a hook segment ({@code /services/T/B/X}, {@code /bot/v2/hook/x}).
     */
    public static String maskUrl(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String query = q < 0 ? null : url.substring(q + 1);
        StringBuilder out = new StringBuilder(maskBase(base));
        if (query != null) {
            out.append('?');
            String[] params = query.split("&", -1);
            for (int i = 0; i < params.length; i++) {
                if (i > 0) {
                    out.append('&');
                }
                int eq = params[i].indexOf('=');
                String name = eq < 0 ? params[i] : params[i].substring(0, eq);
                if (eq >= 0 && SECRET_PARAM.matcher(name).matches() && !params[i].substring(eq + 1).isEmpty()) {
                    out.append(name).append('=').append(MASK);
                } else if (eq >= 0 && name.equals("header") && SECRET_HEADER.matcher(headerName(params[i].substring(eq + 1))).matches()) {
                    out.append(name).append('=').append(headerName(params[i].substring(eq + 1))).append('=').append(MASK);
                } else {
                    out.append(params[i]);
                }
            }
        }
        return out.toString();
    }

    /** Whether a header with this name carries a credential (its value is masked). */
    public static boolean secretHeader(String name) {
        return SECRET_HEADER.matcher(name).matches();
    }

    /** Whether a client property with this name carries a credential. */
    public static boolean secretProperty(String name) {
        return SECRET_PARAM.matcher(name).matches() || name.toLowerCase(java.util.Locale.ROOT).contains("jaas");
    }

    private static String headerName(String header) {
        int eq = header.indexOf('=');
        return eq < 0 ? header : header.substring(0, eq);
    }

    private static String maskBase(String base) {
        int scheme = base.indexOf("://");
        if (scheme < 0) {
            return base;
        }
        int hostStart = scheme + 3;
        int pathStart = base.indexOf('/', hostStart);
        String authority = pathStart < 0 ? base.substring(hostStart) : base.substring(hostStart, pathStart);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            int colon = authority.indexOf(':');
            if (colon >= 0 && colon < at) {
                authority = authority.substring(0, colon + 1) + MASK + authority.substring(at);
            }
        }
        StringBuilder out = new StringBuilder(base.substring(0, hostStart)).append(authority);
        if (pathStart >= 0) {
            String[] segments = base.substring(pathStart + 1).split("/", -1);
            boolean masking = false;
            for (String segment : segments) {
                out.append('/');
                if (masking && !segment.isEmpty()) {
                    out.append(MASK);
                } else {
                    out.append(segment);
                }
                if (HOOK_SEGMENT.matcher(segment).matches()) {
                    masking = true;
                }
            }
        }
        return out.toString();
    }
}
