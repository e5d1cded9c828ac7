package io.slipway.cli.console;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signed-in browsers: a random session id in an HttpOnly cookie names a token kept here, in memory, so the token is
 * never readable by a page's script and never leaves the gateway again. The token is not verified here: every call the
 * console makes with it is, by the service that answers.
 */
final class Sessions {
    static final String COOKIE = "slipway_console";
    /** Sessions kept at once; the oldest is dropped first (its browser signs in again). */
    private static final int MAX = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * One signed-in browser. {@code role} and {@code subject} are read from the token for display only; {@code csrf}
     * is the value every mutation must carry in its {@code X-Slipway-CSRF} header.
     */
    record Session(String id, String token, String subject, String role, String csrf, Instant expiresAt) {
        boolean readOnly() {
            return role.equals("viewer");
        }
    }

    private final Map<String, Session> sessions = new LinkedHashMap<>();

    /** A new session for {@code token}, or empty if the token is not a JWT at all. */
    synchronized Optional<Session> open(String token) {
        Optional<JsonNode> claims = claims(token);
        if (claims.isEmpty()) {
            return Optional.empty();
        }
        JsonNode c = claims.get();
        String subject = c.path("upn").asText(c.path("sub").asText("?"));
        Instant expires = c.hasNonNull("exp") ? Instant.ofEpochSecond(c.get("exp").asLong()) : Instant.now().plusSeconds(3600);
        Session s = new Session(random(), token, subject, strongest(c.path("groups")), random(), expires);
        sessions.put(s.id(), s);
        Iterator<String> oldest = sessions.keySet().iterator();
        while (sessions.size() > MAX) {
            oldest.next();
            oldest.remove();
        }
        return Optional.of(s);
    }

    /** The live session a {@code Cookie} header names, if any. */
    synchronized Optional<Session> find(List<String> cookieHeaders) {
        String id = cookie(cookieHeaders, COOKIE);
        Session s = id == null ? null : sessions.get(id);
        if (s != null && s.expiresAt().isBefore(Instant.now())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.ofNullable(s);
    }

    /** Whether {@code s} is still signed in: not signed out, not expired. */
    synchronized boolean alive(Session s) {
        return sessions.get(s.id()) == s && s.expiresAt().isAfter(Instant.now());
    }

    synchronized void close(Session s) {
        sessions.remove(s.id());
    }

    static String setCookie(Session s) {
        return COOKIE + "=" + s.id() + "; Path=" + Console.BASE + "; HttpOnly; SameSite=Strict";
    }

    static String clearCookie() {
        return COOKIE + "=; Path=" + Console.BASE + "; HttpOnly; SameSite=Strict; Max-Age=0";
    }

    static String cookie(List<String> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (String header : headers) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return part.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    private static Optional<JsonNode> claims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(Upstream.JSON.readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (IllegalArgumentException | IOException e) {
            return Optional.empty();
        }
    }

    /** The strongest role among the token's groups (a token carries its role and every weaker one). */
    private static String strongest(JsonNode groups) {
        for (String role : List.of("admin", "operator", "viewer")) {
            for (JsonNode g : groups) {
                if (g.asText().equals(role)) {
                    return role;
                }
            }
        }
        return "none";
    }

    private static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
