package io.slipway.oci.sync;

/** A mistake in the rules, with where it is: {@code rules.yaml line 7: ...}. */
final class RulesException extends IllegalArgumentException {
    RulesException(String source, int line, String message) {
        super(source + (line > 0 ? " line " + line : "") + ": " + message);
    }
}
