package io.slipway.backbone.api;

/** A user's request that cannot be carried out as given; answered 400 with the field and the problem, never 500. */
public class InvalidRequest extends RuntimeException {
    private final String field;

    public InvalidRequest(String field, String problem) {
        super(problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
