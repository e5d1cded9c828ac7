package io.slipway.testkit.ec2;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A form-encoded EC2 Query request ({@code Action=...&Version=...}) and the EC2 protocol's flattened lists:
 * {@code InstanceId.1}, {@code Filter.1.Name}, {@code Filter.1.Value.1}, {@code TagSpecification.1.Tag.1.Key}.
 */
final class Ec2QueryRequest {
    private final Map<String, String> params;

    private Ec2QueryRequest(Map<String, String> params) {
        this.params = params;
    }

    static Ec2QueryRequest parse(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(key, value);
            }
        }
        return new Ec2QueryRequest(params);
    }

    String get(String name) {
        return params.get(name);
    }

    Integer integer(String name) {
        String v = params.get(name);
        if (v == null) {
            return null;
        }
        try {
            return Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw Ec2Error.client("InvalidParameterValue", "Value (" + v + ") for parameter " + name + " is invalid");
        }
    }

    /** {@code prefix.1}, {@code prefix.2}, ... up to the first missing index. */
    List<String> list(String prefix) {
        List<String> values = new ArrayList<>();
        for (int n = 1; params.containsKey(prefix + "." + n); n++) {
            values.add(params.get(prefix + "." + n));
        }
        return values;
    }

    /** How many {@code prefix.N.*} entries there are. */
    int count(String prefix) {
        int n = 0;
        while (hasIndex(prefix + "." + (n + 1))) {
            n++;
        }
        return n;
    }

    private boolean hasIndex(String prefix) {
        String dotted = prefix + ".";
        return params.keySet().stream().anyMatch(k -> k.startsWith(dotted));
    }
}
