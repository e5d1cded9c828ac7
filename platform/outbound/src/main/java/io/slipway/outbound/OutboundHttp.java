package io.slipway.outbound;

import java.net.InetAddress;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * An HTTP client for requests to addresses a user named, which connects only to addresses {@link OutboundPolicy}
 * admitted: the client's name resolution <em>is</em> the policy's check, so the address checked is the address
 * connected to. Checking a name and then letting a client resolve it again leaves a gap for DNS rebinding (a name
 * whose first answer is public and whose second, a moment later, is the metadata service); here there is no second
 * answer. A refused address throws {@link OutboundPolicy.Refused} out of {@code execute}, before any byte is sent.
 * <p>
 * The client follows no redirects (callers that follow them check each hop), retries nothing, keeps no cookies, reads
 * no proxy settings from the environment, and closes connections idle for 30 seconds.
 */
public final class OutboundHttp {
    private OutboundHttp() {
    }

    /** A client for {@code what} (e.g. "receiver ops"): connect, response and socket timeouts of {@code timeout}. */
    public static CloseableHttpClient client(OutboundPolicy policy, String what, Duration timeout) {
        return client(policy, what, timeout, null);
    }

    /** As {@link #client(OutboundPolicy, String, Duration)}, trusting what {@code tls} trusts (null: the JDK's defaults). */
    public static CloseableHttpClient client(OutboundPolicy policy, String what, Duration timeout, SSLContext tls) {
        Timeout t = Timeout.of(timeout);
        PoolingHttpClientConnectionManagerBuilder connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(resolver(policy, what))
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t).build());
        if (tls != null) {
            connections.setTlsSocketStrategy(new DefaultClientTlsStrategy(tls));
        }
        return HttpClients.custom()
                .setConnectionManager(connections.build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(t).setConnectionRequestTimeout(t).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .evictIdleConnections(TimeValue.ofSeconds(30))
                .build();
    }

    /** Name resolution by the policy: the addresses it admits, or {@link OutboundPolicy.Refused}. */
    static DnsResolver resolver(OutboundPolicy policy, String what) {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) {
                return policy.checkHost(host, what).toArray(new InetAddress[0]);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }
}
