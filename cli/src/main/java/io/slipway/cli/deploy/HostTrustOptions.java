package io.slipway.cli.deploy;

import io.slipway.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How {@code run} and {@code join} say which machines answer at the hosts' addresses, so deploy-svc sends them
 * credentials only once each proved it is that machine: keys one by one, a file as {@code ssh-keyscan} writes it, or
 * trust on first use, asked for in words.
 */
public final class HostTrustOptions {
    @Option(names = "--host-key", paramLabel = "IP=KEY", description = "A host's SSH key ('keytype base64') or SHA256: fingerprint.")
    Map<String, String> keys = new LinkedHashMap<>();

    @Option(names = "--host-keys", paramLabel = "FILE", description = "Host keys as ssh-keyscan prints them (known_hosts lines).")
    Path file;

    @Option(names = "--trust-on-first-use", description = "Pin whatever key a host with no known key shows on first contact.")
    boolean firstUse;

    /** Adds {@code hostKeys} (for the hosts in {@code ips}) and {@code trustOnFirstUse} to a request body. */
    void addTo(Map<String, Object> body, List<String> ips) {
        Map<String, String> all = new LinkedHashMap<>();
        if (file != null) {
            all.putAll(read(file, ips));
        }
        all.putAll(keys);
        if (!all.isEmpty()) {
            body.put("hostKeys", all);
        }
        if (firstUse) {
            body.put("trustOnFirstUse", true);
        }
    }

    /** known_hosts lines ({@code host[,host] keytype base64}, {@code [host]:port} too) for the hosts asked about. */
    static Map<String, String> read(Path file, List<String> ips) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UserError("cannot read the host keys " + file + ": " + e.getMessage());
        }
        Map<String, String> found = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length < 3 || words[0].startsWith("|")) {
                throw new UserError(file + ":" + (i + 1) + ": not a known_hosts line 'host keytype base64' (hashed names cannot be "
                        + "matched: write the file with ssh-keyscan without -H)");
            }
            for (String name : words[0].split(",")) {
                String host = name.startsWith("[") && name.contains("]") ? name.substring(1, name.indexOf(']')) : name;
                if (ips.contains(host)) {
                    found.putIfAbsent(host, words[1] + " " + words[2]);
                }
            }
        }
        return found;
    }
}
