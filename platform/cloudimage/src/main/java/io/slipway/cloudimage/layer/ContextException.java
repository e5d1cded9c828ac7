package io.slipway.cloudimage.layer;

/** A source that may not enter a layer: it escapes its root, is missing, or is of a kind a layer cannot hold. */
public final class ContextException extends RuntimeException {
    public ContextException(String message) {
        super(message);
    }
}
