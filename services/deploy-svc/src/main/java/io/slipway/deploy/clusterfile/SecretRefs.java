package io.slipway.deploy.clusterfile;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${secret:<name>}} in a Clusterfile's ssh, registry and env values: a deploy secret set with
 * {@code PUT /api/v1/deploy/secrets/<name>}, so a Clusterfile (and a CI command carrying it) holds no secret itself.
 */
public final class SecretRefs {
    /** A secret's name: lower-case letters, digits, '-', '_' and '.', at most 63, starting and ending with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?");
    private static final Pattern REF = Pattern.compile("\\$\\{secret:([^}]*)}");

    private SecretRefs() {
    }

    public static boolean refers(String value) {
        return value != null && REF.matcher(value).find();
    }

    /** The names {@code value} refers to; a malformed name is an {@link IllegalArgumentException} saying so. */
    public static Set<String> names(String value) {
        Set<String> names = new LinkedHashSet<>();
        if (value == null) {
            return names;
        }
        Matcher m = REF.matcher(value);
        while (m.find()) {
            if (!NAME.matcher(m.group(1)).matches()) {
                throw new IllegalArgumentException("'${secret:" + m.group(1) + "}' does not name a secret (lower-case letters, digits, "
                        + "'-', '_', '.')");
            }
            names.add(m.group(1));
        }
        return names;
    }

    /** {@code value} with each reference replaced from {@code secrets}, which holds every name it refers to. */
    static String resolve(String value, Map<String, String> secrets) {
        if (value == null || !refers(value)) {
            return value;
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String secret = secrets.get(m.group(1));
            if (secret == null) {
                throw new IllegalStateException("secret " + m.group(1) + " was not looked up");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(secret));
        }
        m.appendTail(out);
        return out.toString();
    }
}
