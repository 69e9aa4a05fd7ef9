package io.tribune.agent.api;

import io.tribune.agent.http.HttpRequest;
import io.tribune.api.consensus.Consensus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * When a server may answer a read from its own, possibly stale, state: the rule behind Consul's
 * {@code ?max_stale} parameter, its {@code discovery_max_stale} agent setting and the DNS
 * interface's bounded stale lookups.
 *
 * <p>A server is <em>fresh enough</em> for a bound when it is the leader, or when it knows a
 * leader and last heard from it at most that long ago ({@link Consensus#lastContact()}). A
 * follower that knows no leader is never fresh enough, whatever {@code lastContact} says: a
 * plugin may refresh it only on leadership changes, and a read it serves could be arbitrarily old.
 *
 * <p>Stateless and thread-safe.
 */
public final class StaleReads {
    /** Query parameter of a stale read. */
    public static final String STALE = "stale";
    /** Query parameter bounding a stale read's staleness (a Go duration). */
    public static final String MAX_STALE = "max_stale";

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

    /** A bound as the {@code ?max_stale} value (Go's duration syntax, e.g. {@code 10s}, {@code 1m30s}). */
    public static String formatBound(Duration bound) {
        return ApiSupport.goDuration(bound);
    }

    /**
     * Consul's {@code discovery_max_stale} applied to one HTTP request: a {@code GET}/{@code HEAD}
     * that asks for no consistency mode (neither {@code ?stale} nor {@code ?consistent}) becomes
     * {@code ?stale&max_stale=<bound>}, so a server answers it locally when fresh enough and sends it
     * to the leader otherwise. A request with {@code ?max_stale} but no {@code ?stale} keeps its own
     * bound and gains {@code ?stale}. Unchanged: other methods, a zero bound, an explicit mode, and
     * requests forwarded by another agent ({@code forwarded}), whose sender already applied its own
     * setting (as a Consul agent puts the setting into the RPC it sends).
     *
     * @param req       the request
     * @param bound     the agent's {@code discovery_max_stale}; zero turns the rule off
     * @param forwarded whether the request came from another agent rather than an HTTP client
     */
    public static HttpRequest discoveryDefault(HttpRequest req, Duration bound, boolean forwarded) {
        Objects.requireNonNull(bound, "bound");
        if (bound.isZero() || bound.isNegative() || forwarded
                || !(req.method().equals("GET") || req.method().equals("HEAD"))
                || req.has(STALE) || req.has("consistent")) {
            return req;
        }
        Map<String, List<String>> q = new LinkedHashMap<>(req.query());
        q.put(STALE, List.of(""));
        if (req.param(MAX_STALE).filter(s -> !s.isEmpty()).isEmpty()) {
            q.put(MAX_STALE, List.of(formatBound(bound)));
        }
        return new HttpRequest(req.method(), req.path(), q, req.headers(), req.body(), req.remote());
    }
}
