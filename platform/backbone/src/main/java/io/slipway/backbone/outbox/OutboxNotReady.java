package io.slipway.backbone.outbox;

/** The outbox cannot take events yet (its slot or publication is not in place); the caller should retry shortly. */
public class OutboxNotReady extends RuntimeException {
    public OutboxNotReady(String why) {
        super("the event outbox is not ready: " + why);
    }
}
