package io.tribune.agent.rpc;

import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.BlockingWait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * What a request carries besides its operation (Consul's {@code QueryOptions} and
 * {@code WriteRequest}): where it goes, how fresh a read must be, whether it blocks, and who asks.
 * Options that do not apply to an operation are ignored by it (a write ignores the consistency
 * fields).
 *
 * @param datacenter  the datacenter that must answer; empty for the agent's own
 * @param token       the caller's ACL token; empty for none (the agent's default applies)
 * @param consistency how fresh a read must be ({@code DEFAULT}: the leader's view under its lease;
 *                    {@code CONSISTENT}: linearizable; {@code STALE}: any server's own state)
 * @param maxStale    with {@code STALE}: how far behind the leader the answering server may be
 *                    ({@link Duration#ZERO}: no bound). A server further behind, or knowing no leader,
 *                    has the leader answer instead (Consul's {@code max_stale})
 * @param minIndex    a blocking query: answer once the data read has an index above this one
 *                    (0: answer at once)
 * @param maxWait     how long a blocking query may wait ({@link Duration#ZERO}: 5 minutes; at most
 *                    10 minutes; a random jitter of up to 1/16 is added)
 * @param cached      whether the agent may answer from its cache of earlier answers (Consul's
 *                    {@code ?cached}); only some reads are cacheable, the others ignore it
 */
public record Options(String datacenter, String token, ReadConsistency consistency, Duration maxStale, long minIndex,
                      Duration maxWait, boolean cached) {
    /** Longest datacenter name accepted, in bytes. */
    public static final int MAX_DATACENTER_BYTES = 128;
    /** Longest token accepted, in bytes. */
    public static final int MAX_TOKEN_BYTES = 512;

    /** Defaults: the agent's datacenter, no token, {@code DEFAULT} consistency, no blocking. */
    public static final Options DEFAULT = new Options("", "", ReadConsistency.DEFAULT, Duration.ZERO, 0, Duration.ZERO,
            false);

    /**
     * Checks bounds.
     *
     * @throws AgentException {@link AgentException.Kind#BAD_REQUEST} naming the field
     */
    public Options {
        Objects.requireNonNull(datacenter, "datacenter");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(consistency, "consistency");
        Objects.requireNonNull(maxStale, "maxStale");
        Objects.requireNonNull(maxWait, "maxWait");
        if (datacenter.getBytes(StandardCharsets.UTF_8).length > MAX_DATACENTER_BYTES) {
            throw AgentException.badRequest("datacenter name is longer than " + MAX_DATACENTER_BYTES + " bytes");
        }
        if (token.getBytes(StandardCharsets.UTF_8).length > MAX_TOKEN_BYTES) {
            throw AgentException.badRequest("token is longer than " + MAX_TOKEN_BYTES + " bytes");
        }
        if (maxStale.isNegative()) {
            throw AgentException.badRequest("max_stale must not be negative");
        }
        if (minIndex < 0) {
            throw AgentException.badRequest("index must not be negative");
        }
        if (maxWait.isNegative()) {
            throw AgentException.badRequest("wait must not be negative");
        }
        if (maxWait.compareTo(BlockingWait.MAX_WAIT) > 0) {
            maxWait = BlockingWait.MAX_WAIT;
        }
    }

    /** Defaults with {@code consistency}. */
    public static Options of(ReadConsistency consistency) {
        return DEFAULT.withConsistency(consistency);
    }

    /** A copy for datacenter {@code dc}. */
    public Options withDatacenter(String dc) {
        return new Options(dc, token, consistency, maxStale, minIndex, maxWait, cached);
    }

    /** A copy with {@code t} as the token. */
    public Options withToken(String t) {
        return new Options(datacenter, t, consistency, maxStale, minIndex, maxWait, cached);
    }

    /** A copy with consistency {@code c}. */
    public Options withConsistency(ReadConsistency c) {
        return new Options(datacenter, token, c, maxStale, minIndex, maxWait, cached);
    }

    /** A copy with the stale bound {@code d}. */
    public Options withMaxStale(Duration d) {
        return new Options(datacenter, token, consistency, d, minIndex, maxWait, cached);
    }

    /** A copy that blocks until the index passes {@code index}, for at most {@code wait}. */
    public Options blocking(long index, Duration wait) {
        return new Options(datacenter, token, consistency, maxStale, index, wait, cached);
    }

    /** A copy that may (or may not) be answered from the agent cache. */
    public Options withCached(boolean c) {
        return new Options(datacenter, token, consistency, maxStale, minIndex, maxWait, c);
    }

    /** Whether this is a blocking query. */
    public boolean isBlocking() {
        return minIndex > 0;
    }

    /** The wait a blocking query asks for before jitter: {@link #maxWait()}, or 5 minutes when zero. */
    public Duration requestedWait() {
        return maxWait.isZero() ? BlockingWait.DEFAULT_WAIT : maxWait;
    }
}
