package io.slipway.chaos;

/**
 * The record headers of Slipway's event envelope, as a Kafka client outside the platform (a CI system, this suite)
 * writes and reads them: the suite talks to the platform as its users do, without its internal libraries.
 */
final class Headers {
    static final String EVENT_ID = "eventId";
    static final String EVENT_TYPE = "eventType";
    static final String AUTHORIZATION = "authorization";

    private Headers() {
    }
}
