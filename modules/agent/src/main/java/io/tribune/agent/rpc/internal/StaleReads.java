package io.tribune.agent.rpc.internal;

import io.tribune.api.consensus.Consensus;
import java.time.Duration;

/**
 * When a server may answer a read from its own, possibly stale, state: the rule behind Consul's
 * {@code ?max_stale}, its {@code discovery_max_stale} agent setting and the DNS interface's bounded
 * stale lookups.
 *
 * <p>A server is <em>fresh enough</em> for a bound when it is the leader, or when it knows a leader
 * and last heard from it at most that long ago ({@link Consensus#lastContact()}). A follower that
 * knows no leader is never fresh enough, whatever {@code lastContact} says: a plugin may refresh it
 * only on leadership changes, and a read it serves could be arbitrarily old.
 *
 * <p>Stateless and thread-safe.
 */
public final class StaleReads {
    private StaleReads() {
    }

    /**
     * The decision itself, as a pure function of what the server knows.
     *
     * @param leader      whether this server leads
     * @param leaderKnown whether it knows a leader
     * @param lastContact how long since it last heard from the leader
     * @param maxStale    the bound
     * @return whether a stale read here is within the bound
     */
    public static boolean freshEnough(boolean leader, boolean leaderKnown, Duration lastContact, Duration maxStale) {
        if (leader) {
            return true;
        }
        return leaderKnown && lastContact.compareTo(maxStale) <= 0;
    }

    /** {@link #freshEnough(boolean, boolean, Duration, Duration)} for the server {@code c} now. */
    public static boolean freshEnough(Consensus c, Duration maxStale) {
        return freshEnough(c.isLeader(), c.leadership().leader().isPresent(), c.lastContact(), maxStale);
    }
}
