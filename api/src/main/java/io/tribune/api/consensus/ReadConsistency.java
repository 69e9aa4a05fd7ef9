package io.tribune.api.consensus;

/** How fresh a read must be, as in Consul's {@code default}, {@code consistent} and {@code stale} modes. */
public enum ReadConsistency {
    /**
     * Served by the leader while its lease holds (it heard from a quorum within the lease time), so
     * no extra round trip is needed; may be stale only in the window of a leader change under clock
     * drift beyond the lease's margin. A follower may serve it with one round trip to the leader,
     * which confirms it the same way (see {@link Consensus#readBarrier}).
     */
    DEFAULT,
    /**
     * Linearizable: the leader confirms its leadership with a quorum after the read arrives (read
     * index). A follower may serve it by asking the leader for that index and waiting to apply it.
     */
    CONSISTENT,
    /** Any server answers from its local state; the caller reports {@link Consensus#lastContact()}. */
    STALE
}
