package io.slipway.deploy.clusterfile;

import io.slipway.ssh.HostKeyStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How deploy-svc knows it talks to the hosts a Clusterfile names before it sends them a password or key (a Slipway
 * addition to sealer's format): {@code spec.hostKeys} maps a host's address to its SSH host key ({@code keytype base64},
 * as {@code ssh-keyscan} prints it) or its {@code SHA256:} fingerprint ({@code ssh-keygen -l}); {@code
 * spec.trustOnFirstUse: true} lets the hosts of this request that have no pin yet be pinned on first contact. A host
 * with neither is refused before any credential leaves.
 *
 * @param pinned    address to key or fingerprint, normalized
 * @param firstUse  whether this request asks for trust on first use for its hosts with no pin
 */
public record HostKeys(Map<String, String> pinned, boolean firstUse) {
    public static final HostKeys NONE = new HostKeys(Map.of(), false);

    public HostKeys {
        pinned = pinned == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pinned));
    }

    /**
     * Keys a request gives outside a Clusterfile (a join's), each checked and normalized; a bad one is a 400 naming
     * {@code field} and the host.
     */
    public static HostKeys given(Map<? extends CharSequence, ? extends CharSequence> keys, boolean firstUse, String field) {
        Map<String, String> pinned = new LinkedHashMap<>();
        if (keys != null) {
            keys.forEach((ip, key) -> {
                String at = field + "." + ip;
                if (!ClusterfileReader.isIp(ip.toString())) {
                    throw new io.slipway.backbone.api.InvalidRequest(at, "\"" + ip + "\" is not an IP address");
                }
                try {
                    pinned.put(ip.toString(), HostKeyStore.normalized(key == null ? null : key.toString()));
                } catch (IllegalArgumentException e) {
                    throw new io.slipway.backbone.api.InvalidRequest(at, e.getMessage());
                }
            });
        }
        return new HostKeys(pinned, firstUse);
    }

    /** These keys with {@code more} added (a join's keys over the cluster's), trust on first use as {@code firstUse} says. */
    public HostKeys with(Map<String, String> more, boolean firstUse) {
        Map<String, String> all = new LinkedHashMap<>(pinned);
        all.putAll(more);
        return new HostKeys(all, firstUse);
    }

    /** These keys for the hosts still in {@code ips} only. */
    HostKeys keeping(java.util.Collection<String> ips) {
        Map<String, String> kept = new LinkedHashMap<>(pinned);
        kept.keySet().retainAll(ips);
        return new HostKeys(kept, firstUse);
    }
}
