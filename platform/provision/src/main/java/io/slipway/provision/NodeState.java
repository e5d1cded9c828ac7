package io.slipway.provision;

/** A node's life as its provider reports it (EC2's instance states, folded). */
public enum NodeState {
    /** Created, not running yet (booting). */
    PENDING,
    /** Running: it has its addresses; its SSH server may not answer yet. */
    RUNNING,
    /** Being stopped or terminated. */
    SHUTTING_DOWN,
    /** Gone. */
    TERMINATED;

    public boolean alive() {
        return this == PENDING || this == RUNNING;
    }
}
