package io.slipway.event.sink;

import java.util.List;

/**
 * One receiver's protocol: how a notification is put on the wire and how the receiver's answer is read. It neither
 * retries nor waits: it says what the receiver said, and the sink's loop decides about retries, rate limits and dead
 * letters the same way for every receiver.
 */
public interface Transport extends AutoCloseable {

    /**
     * Sends the notification and returns one outcome per event (a single outcome stands for all of them). An exception
     * means the receiver could not be reached or answered nonsense: the events are retried.
     */
    List<Outcome> send(Notification notification) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
