package io.tribune.api.membership;

/** A member's state as seen by the local node. Consul shows these as 1 (alive) .. 4 (failed). */
public enum MemberStatus {
    /** Responding to probes. */
    ALIVE,
    /** Missed probes; not yet declared failed (refutable). */
    SUSPECT,
    /** Announced a graceful leave that is still propagating. */
    LEAVING,
    /** Left gracefully. */
    LEFT,
    /** Declared failed. */
    FAILED
}
