package io.slipway.oci.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme ({@code basic}, {@code bearer}) and its
 * parameters, e.g. {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"}.
 */
public record Challenge(String scheme, Map<String, String> params) {

    public Challenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    public String param(String name) {
        return params.get(name);
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    /** Every challenge in one header value; quoted values may hold commas. Unparseable text yields no challenge. */
    public static List<Challenge> parse(String header) {
        List<Challenge> challenges = new ArrayList<>();
        if (header == null) {
            return challenges;
        }
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != '=' && header.charAt(i) != ',') {
                i++;
            }
            if (start == i) {
                break;
            }
            String token = header.substring(start, i);
            while (i < n && header.charAt(i) == ' ') {
                i++;
            }
            if (i < n && header.charAt(i) == '=') {
                i++;
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ') {
                        value.append(header.charAt(i++));
                    }
                }
                if (scheme != null) {
                    params.put(token.toLowerCase(Locale.ROOT), value.toString());
                }
            } else {
                if (scheme != null) {
                    challenges.add(new Challenge(scheme, params));
                }
                scheme = token;
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            challenges.add(new Challenge(scheme, params));
        }
        return challenges;
    }
}
