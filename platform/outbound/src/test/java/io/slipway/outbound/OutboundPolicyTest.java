package io.slipway.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundPolicyTest {
    /** Names resolved as a zone file says, so no test depends on (or sends to) a real resolver. */
    static final OutboundPolicy.Resolver ZONE = host -> {
        Map<String, String[]> zone = Map.of(
                "hooks.example.com", new String[] {"93.184.216.34"},
                "rebound.example.com", new String[] {"93.184.216.34", "10.0.0.5"},
                "metadata.example.com", new String[] {"169.254.169.254"},
                "v6.example.com", new String[] {"fd12::1"});
        String[] a = zone.get(host);
        if (a == null) {
            if (host.matches("[0-9a-fA-F:.]+")) {
                return new InetAddress[] {InetAddress.getByName(host)};
            }
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = InetAddress.getByName(a[i]);
        }
        return out;
    };

    @Test
    void privateLoopbackLinkLocalAndMetadataAddressesAreDeniedUnlessAllowed() {
        OutboundPolicy none = OutboundPolicy.allowing("", ZONE);
        assertThat(none.check(URI.create("https://hooks.example.com/x"), "webhook ops", true)).hasSize(1);
        for (String url : new String[] {"http://127.0.0.1:8080/", "http://[::1]/", "http://10.1.2.3/", "http://172.20.0.1/",
                "http://192.168.1.1/", "http://100.64.0.1/", "http://metadata.example.com/latest/meta-data/", "http://169.254.169.254/",
                "http://0.0.0.0/", "http://[fe80::1]/", "http://v6.example.com/", "http://[::ffff:127.0.0.1]/"}) {
            assertThatThrownBy(() -> none.check(URI.create(url), "webhook ops", false)).as(url)
                    .isInstanceOf(OutboundPolicy.Refused.class).hasMessageContaining("webhook ops").hasMessageContaining("not allowed");
        }
        // a name with one private address among public ones is refused: the client may pick any of them
        assertThatThrownBy(() -> none.check(URI.create("https://rebound.example.com/"), "sink", false))
                .hasMessageContaining("rebound.example.com (10.0.0.5) is a private address");

        OutboundPolicy local = OutboundPolicy.allowing("loopback, 10.0.0.0/24", ZONE);
        assertThat(local.check(URI.create("http://127.0.0.1:8080/"), "sink", false)).hasSize(1);
        assertThat(local.check(URI.create("https://rebound.example.com/"), "sink", false)).hasSize(2);
        assertThatThrownBy(() -> local.check(URI.create("http://10.0.1.5/"), "sink", false)).isInstanceOf(OutboundPolicy.Refused.class);
        assertThat(OutboundPolicy.allowing("private", ZONE).allows(ip("172.31.255.255"))).isTrue();
        assertThat(OutboundPolicy.allowing("link-local", ZONE).allows(ip("169.254.169.254"))).isTrue();
        assertThat(OutboundPolicy.allowing("any", ZONE).allows(ip("10.9.9.9"))).isTrue();
    }

    @Test
    void credentialsTravelOverHttpsOnlyAndOnlyHttpUrlsAreUrls() {
        OutboundPolicy local = OutboundPolicy.allowing("loopback, private", ZONE);
        assertThatThrownBy(() -> local.check(URI.create("http://hooks.example.com/hook?token=Canary-Token-1"), "webhook ops", true))
                .hasMessageContaining("https only").hasMessageNotContaining("Canary-Token-1");
        assertThatThrownBy(() -> local.check(URI.create("http://10.0.0.5/hook"), "webhook ops", true)).hasMessageContaining("https only");
        assertThat(local.check(URI.create("https://10.0.0.5/hook"), "webhook ops", true)).hasSize(1);
        // nothing crosses a network to this machine's loopback
        assertThat(local.check(URI.create("http://127.0.0.1/hook?token=x"), "webhook ops", true)).hasSize(1);
        assertThatThrownBy(() -> local.check(URI.create("file:///etc/passwd"), "ADD", false)).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> local.check(URI.create("gopher://127.0.0.1/"), "ADD", false)).hasMessageContaining("gopher:");
        assertThatThrownBy(() -> local.check(URI.create("https://nowhere.invalid/"), "ADD", false)).hasMessageContaining("does not resolve");
    }

    @Test
    void aBadAllowanceNamesTheEntry() {
        assertThatThrownBy(() -> OutboundPolicy.allowing("loopback, intranet")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'intranet'");
        assertThatThrownBy(() -> OutboundPolicy.allowing("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
