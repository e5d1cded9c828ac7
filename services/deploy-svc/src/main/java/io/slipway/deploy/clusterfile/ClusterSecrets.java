package io.slipway.deploy.clusterfile;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The secrets a Clusterfile holds, and how they are kept out of what viewers, events and logs see: SSH passwords,
 * private keys and their passphrases (the cluster's and every group's), the external registry's password, and the
 * value of every env variable whose name says it is secret (it contains pass, secret, token, key, credential, auth or
 * cert: {@code DB_PASSWORD}, {@code API_TOKEN}) or that the Clusterfile marks ({@code spec.secretEnv}, or a value naming
 * a deploy secret). Masked copies replace those fields; any other text (cmd, cmd_args,
 * other documents, a failed command's output) has each secret value replaced wherever it appears.
 */
public final class ClusterSecrets {
    public static final String MASK = "******";
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(pass|secret|token|key|credential|auth|cert).*");
    /** Shorter values are not searched for in free text: they would mask ordinary words, and say little on their own. */
    private static final int MIN_SCRUBBED = 4;

    public static final ClusterSecrets NONE = new ClusterSecrets(Set.of());

    private final List<String> values;

    private ClusterSecrets(Set<String> values) {
        this.values = values.stream().filter(v -> v.length() >= MIN_SCRUBBED)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /** Whether an env variable of this name holds a secret. */
    public static boolean secretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** The secrets of {@code cf}. */
    public static ClusterSecrets of(Clusterfile cf) {
        Set<String> all = new LinkedHashSet<>();
        cf.forEachSecretField((path, envName, v) -> {
            if ((envName == null || cf.secretEnv(envName)) && !v.isBlank()) {
                all.add(v);
            }
        });
        return new ClusterSecrets(all);
    }

    /** {@code text} with every secret value replaced by {@value #MASK}; null stays null. */
    public String scrub(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : values) {
            out = out.replace(v, MASK);
            // a key or a multi-line value may be echoed one line at a time
            for (String line : v.split("\n")) {
                if (line.strip().length() >= 16) {
                    out = out.replace(line.strip(), MASK);
                }
            }
        }
        return out;
    }

}
