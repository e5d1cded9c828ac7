package io.slipway.testkit.ec2;

/** A fault a test or benchmark scripts for the next call of one action ({@link SimulatedEc2#failNext}). */
public enum Ec2Fault {
    /** {@code RequestLimitExceeded}, as if the bucket were empty; the call does nothing. */
    THROTTLE,
    /** {@code InternalError} (500); the call does nothing. */
    SERVER_ERROR,
    /** The request never reaches the service: nothing is done and the client sees a timeout. */
    REQUEST_LOST,
    /** The call is performed and its response lost: the client sees a timeout. */
    RESPONSE_LOST
}
