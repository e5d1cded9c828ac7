package io.slipway.oci.registry;

import io.slipway.outbound.OutboundPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one registry: its host (as image references name it, {@code host[:port]}), plain HTTP or TLS (with an
 * extra CA certificate file, or without verification), credentials, retry policy and how blobs are uploaded.
 *
 * @param host            the registry as references name it, e.g. {@code registry.example.com} or {@code 127.0.0.1:5000}
 * @param plainHttp       talk HTTP instead of HTTPS (local registries: docker's "insecure registry")
 * @param skipTlsVerify   accept any server certificate and host name (HTTPS still); for test setups only
 * @param caFile          a PEM file of extra CA certificates trusted beside the system's; null for none
 * @param credentials     for basic auth or the token endpoint; null for anonymous access
 * @param retry           retries of transient faults
 * @param monolithicLimit blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks
 * @param chunkSize       the size of one PATCH chunk
 * @param timeout         connect timeout, and the timeout of small (non-blob) requests
 * @param outbound        where a token realm the registry names may be on, when it is not the registry's own host
 */
public record RegistryConfig(String host, boolean plainHttp, boolean skipTlsVerify, Path caFile, Credentials credentials,
                             RetryPolicy retry, long monolithicLimit, long chunkSize, Duration timeout, OutboundPolicy outbound) {

    public static final long DEFAULT_MONOLITHIC_LIMIT = 32L << 20;
    public static final long DEFAULT_CHUNK_SIZE = 64L << 20;

    public RegistryConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(timeout, "timeout");
        outbound = outbound == null ? OutboundPolicy.PUBLIC_ONLY : outbound;
        if (chunkSize < 1 || monolithicLimit < 0) {
            throw new IllegalArgumentException("chunkSize must be positive and monolithicLimit not negative");
        }
    }

    /** HTTPS with the system's trust store, anonymous, default retries. */
    public static RegistryConfig of(String host) {
        return new RegistryConfig(host, false, false, null, null, RetryPolicy.DEFAULT, DEFAULT_MONOLITHIC_LIMIT,
                DEFAULT_CHUNK_SIZE, Duration.ofSeconds(30), OutboundPolicy.PUBLIC_ONLY);
    }

    public RegistryConfig withPlainHttp(boolean plain) {
        return new RegistryConfig(host, plain, skipTlsVerify, caFile, credentials, retry, monolithicLimit, chunkSize, timeout, outbound);
    }

    public RegistryConfig withSkipTlsVerify(boolean skip) {
        return new RegistryConfig(host, plainHttp, skip, caFile, credentials, retry, monolithicLimit, chunkSize, timeout, outbound);
    }

    public RegistryConfig withCaFile(Path ca) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, ca, credentials, retry, monolithicLimit, chunkSize, timeout, outbound);
    }

    public RegistryConfig withCredentials(Credentials creds) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, caFile, creds, retry, monolithicLimit, chunkSize, timeout, outbound);
    }

    public RegistryConfig withRetry(RetryPolicy policy) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, caFile, credentials, policy, monolithicLimit, chunkSize, timeout, outbound);
    }

    public RegistryConfig withUploadSizes(long monolithic, long chunk) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, caFile, credentials, retry, monolithic, chunk, timeout, outbound);
    }

    public RegistryConfig withTimeout(Duration newTimeout) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, caFile, credentials, retry, monolithicLimit, chunkSize, newTimeout, outbound);
    }

    /** Token realms on other hosts than the registry's may be where {@code policy} allows. */
    public RegistryConfig withOutbound(OutboundPolicy policy) {
        return new RegistryConfig(host, plainHttp, skipTlsVerify, caFile, credentials, retry, monolithicLimit, chunkSize, timeout, policy);
    }

    /** The host the API is served on: Docker Hub's images are named docker.io but served by registry-1.docker.io. */
    public String apiHost() {
        return host.equals("docker.io") || host.equals("index.docker.io") ? "registry-1.docker.io" : host;
    }
}
