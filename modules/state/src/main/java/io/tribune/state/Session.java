package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * A session, with the fields of Consul's {@code /v1/session} JSON plus its last renewal.
 *
 * @param id              UUID chosen by the proposer ({@code ID})
 * @param name            display name ({@code Name})
 * @param node            the node it is bound to ({@code Node}); deregistering the node
 *                        invalidates it
 * @param lockDelayMillis how long keys it held stay unacquirable after it is invalidated
 *                        ({@code LockDelay}, nanoseconds in Consul's JSON); at most 60 s
 * @param behavior        what invalidation does to its locks ({@code Behavior})
 * @param ttlMillis       TTL, 0 for none ({@code TTL}, e.g. "30s" in JSON); 10 s..24 h otherwise
 * @param nodeChecks      check ids on its node that must not turn critical ({@code NodeChecks});
 *                        immutable
 * @param lastRenewMillis proposer wall time of creation or the last renewal; the TTL counts
 *                        from it
 * @param createIndex     index that created it ({@code CreateIndex})
 * @param modifyIndex     index that last changed it ({@code ModifyIndex})
 */
public record Session(String id, String name, String node, long lockDelayMillis, SessionBehavior behavior,
                      long ttlMillis, List<String> nodeChecks, long lastRenewMillis, long createIndex,
                      long modifyIndex) {

    /**
     * How long past its TTL a session lives: Consul invalidates at twice the TTL after the last
     * renewal, to absorb clock and scheduling slack.
     */
    public static final int TTL_MULTIPLIER = 2;

    /** Replaces nulls with defaults; copies the check list. */
    public Session {
        Objects.requireNonNull(id, "id");
        name = name == null ? "" : name;
        Objects.requireNonNull(node, "node");
        behavior = behavior == null ? SessionBehavior.RELEASE : behavior;
        nodeChecks = nodeChecks == null ? List.of() : List.copyOf(nodeChecks);
    }

    /** Whether the session has a TTL. */
    public boolean hasTtl() {
        return ttlMillis > 0;
    }

    /**
     * Wall time after which the leader should invalidate it: last renewal + TTL x
     * {@link #TTL_MULTIPLIER}; {@link Long#MAX_VALUE} without a TTL.
     */
    public long expiresAtMillis() {
        if (!hasTtl()) {
            return Long.MAX_VALUE;
        }
        long grace = ttlMillis * TTL_MULTIPLIER;
        // Saturate rather than wrap: a wrapped expiry would invalidate the session at once.
        return lastRenewMillis > Long.MAX_VALUE - grace ? Long.MAX_VALUE : lastRenewMillis + grace;
    }
}
