package io.slipway.schemas;

/** A record value that is not a decodable Slipway event; retrying cannot help, so consumers dead-letter it at once. */
public class EventDecodingException extends RuntimeException {
    public EventDecodingException(String message) {
        super(message);
    }

    public EventDecodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
