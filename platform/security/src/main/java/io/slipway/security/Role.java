package io.slipway.security;

/** The roles a Slipway bearer token can carry; each grants what the ones before it grant. */
public enum Role {
    viewer, operator, admin;

    /** The groups claim for a token of this role: the role itself and every weaker one. */
    public java.util.List<String> groups() {
        return java.util.Arrays.stream(values()).filter(r -> r.ordinal() <= ordinal()).map(Enum::name).toList();
    }
}
