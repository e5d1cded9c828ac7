package io.slipway.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the platform may send a request to an address a user named (a sink's URL, a Kubefile's {@code ADD https://}, a
 * registry's token realm): the host is resolved and every address it resolves to must be public, or inside a range the
 * operator allowed. Denied unless allowed: loopback, link-local (the cloud metadata service among them), private
 * (RFC 1918, unique-local IPv6), shared (100.64/10), unspecified and multicast addresses. A credential goes over https
 * only, except to this machine's loopback (allowed explicitly), where nothing crosses a network.
 * <p>
 * The allowance is a comma-separated list of {@code loopback}, {@code link-local}, {@code private}, {@code any}, or CIDR
 * ranges ({@code 10.20.0.0/16}, {@code fd00::/8}).
 * <p>
 * The check resolves the name itself. A client that resolves the name again afterwards may get another answer (DNS
 * rebinding): HTTP goes through {@link OutboundHttp}, whose only name resolution is this check.
 */
public final class OutboundPolicy {
    /** No private, loopback or link-local address: what a service uses when it is given no allowance. */
    public static final OutboundPolicy PUBLIC_ONLY = new OutboundPolicy(List.of(), "", InetAddress::getAllByName);

    private final List<Cidr> allowed;
    private final String spec;
    private final Resolver resolver;

    /** How a host name becomes addresses (the system's resolver; tests give their own). */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** A refused destination; the message names the URL's host (never its userinfo or query) and why. */
    public static final class Refused extends IllegalArgumentException {
        public Refused(String message) {
            super(message);
        }
    }

    private OutboundPolicy(List<Cidr> allowed, String spec, Resolver resolver) {
        this.allowed = allowed;
        this.spec = spec;
        this.resolver = resolver;
    }

    /** The policy an allowance list describes; an unreadable entry is an error naming it. */
    public static OutboundPolicy allowing(String spec) {
        return allowing(spec, InetAddress::getAllByName);
    }

    public static OutboundPolicy allowing(String spec, Resolver resolver) {
        List<Cidr> ranges = new ArrayList<>();
        String s = spec == null ? "" : spec.strip();
        for (String raw : s.isEmpty() ? new String[0] : s.split(",")) {
            String e = raw.strip().toLowerCase(Locale.ROOT);
            switch (e) {
                case "" -> {
                }
                case "loopback" -> ranges.addAll(List.of(Cidr.of("127.0.0.0/8"), Cidr.of("::1/128")));
                case "link-local" -> ranges.addAll(List.of(Cidr.of("169.254.0.0/16"), Cidr.of("fe80::/10")));
                case "private" -> ranges.addAll(List.of(Cidr.of("10.0.0.0/8"), Cidr.of("172.16.0.0/12"), Cidr.of("192.168.0.0/16"),
                        Cidr.of("100.64.0.0/10"), Cidr.of("fc00::/7")));
                case "any" -> ranges.addAll(List.of(Cidr.of("0.0.0.0/0"), Cidr.of("::/0")));
                default -> ranges.add(Cidr.of(e));
            }
        }
        return new OutboundPolicy(List.copyOf(ranges), s, resolver);
    }

    /** The allowance this policy was made from, for logs and errors. */
    public String allowance() {
        return spec.isEmpty() ? "(none)" : spec;
    }

    /**
     * Checks {@code uri} for {@code what} (e.g. "webhook receiver ops"): an http(s) URL whose host resolves only to
     * addresses this policy admits, and https when {@code credentials} travel with it. Answers the addresses.
     */
    public List<InetAddress> check(URI uri, String what, boolean credentials) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused(what + ": only http and https URLs are allowed, got " + (scheme.isEmpty() ? "no scheme" : scheme + ":"));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new Refused(what + ": the URL names no host");
        }
        List<InetAddress> addresses = checkHost(host, what);
        if (credentials && !scheme.equals("https") && !addresses.stream().allMatch(InetAddress::isLoopbackAddress)) {
            throw new Refused(what + ": credentials go over https only (plain http only to this machine's loopback), and " + host
                    + " was given with http");
        }
        return addresses;
    }

    /** Checks a host name (or literal address) alone: every address it resolves to must be admitted. */
    public List<InetAddress> checkHost(String host, String what) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException e) {
            throw new Refused(what + ": " + bare + " does not resolve");
        }
        for (InetAddress a : addresses) {
            String denied = denied(a);
            if (denied != null && !admitted(a)) {
                throw new Refused(what + ": " + bare + (bare.equals(a.getHostAddress()) ? "" : " (" + a.getHostAddress() + ")") + " is a "
                        + denied + " address, which is not allowed (slipway.outbound.allow: " + allowance() + ")");
            }
        }
        return List.of(addresses);
    }

    /** Whether every address {@code host} resolves to is this machine's loopback (false when it does not resolve). */
    public static boolean onLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            for (InetAddress a : InetAddress.getAllByName(bare)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether {@code address} may be reached. */
    public boolean allows(InetAddress address) {
        return denied(address) == null || admitted(address);
    }

    private boolean admitted(InetAddress a) {
        return allowed.stream().anyMatch(c -> c.contains(a));
    }

    /** The kind of a denied address, or null for a public one. */
    static String denied(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a.isSiteLocalAddress() || SPECIAL.stream().anyMatch(c -> c.contains(a))) {
            return "private";
        }
        if (a instanceof Inet6Address v6 && v6.getAddress()[0] == 0 && isMappedOrCompatible(v6)) {
            return "IPv4-embedding";
        }
        return null;
    }

    private static boolean isMappedOrCompatible(Inet6Address a) {
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
    }

    /** Private beyond what {@link InetAddress#isSiteLocalAddress()} knows: shared (CGNAT), unique-local IPv6, reserved. */
    private static final List<Cidr> SPECIAL = List.of(Cidr.of("100.64.0.0/10"), Cidr.of("fc00::/7"), Cidr.of("0.0.0.0/8"),
            Cidr.of("192.0.0.0/24"), Cidr.of("198.18.0.0/15"), Cidr.of("240.0.0.0/4"));

    /** An address range. */
    record Cidr(byte[] network, int bits) {
        static Cidr of(String text) {
            int slash = text.indexOf('/');
            try {
                InetAddress a = literal(slash < 0 ? text : text.substring(0, slash));
                int max = a instanceof Inet4Address ? 32 : 128;
                int bits = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
                if (bits < 0 || bits > max) {
                    throw new NumberFormatException();
                }
                return new Cidr(a.getAddress(), bits);
            } catch (RuntimeException | UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not loopback, link-local, private, any or a CIDR range "
                        + "(10.20.0.0/16)");
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        private static InetAddress literal(String s) throws UnknownHostException {
            if (!s.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(s);
            }
            return InetAddress.getByName(s); // a literal: no lookup happens
        }
    }
}
