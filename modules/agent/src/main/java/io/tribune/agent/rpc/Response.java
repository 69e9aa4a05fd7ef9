package io.tribune.agent.rpc;

import io.tribune.api.consensus.ReadConsistency;
import java.time.Duration;
import java.util.Objects;

/**
 * The answer of one operation: its value and what the answering agent knew when it answered.
 *
 * @param value the operation's result
 * @param meta  index, leader knowledge and freshness of the answer
 * @param <R>   the operation's result type
 */
public record Response<R>(R value, Meta meta) {

    public Response {
        Objects.requireNonNull(meta, "meta");
    }

    /**
     * Consul's query metadata ({@code X-Consul-Index}, {@code X-Consul-KnownLeader},
     * {@code X-Consul-LastContact}, {@code X-Consul-Effective-Consistency}, {@code X-Cache}).
     *
     * @param index       for a read, the raft index that last changed the data read (at least 1 on a
     *                    server; the blocking-query cursor); for a write, the index it committed at;
     *                    0 when the operation has none (agent-local operations)
     * @param knownLeader whether the answering server knew a leader
     * @param lastContact how long since the answering server heard from its leader (zero on the leader)
     * @param servedAs    the consistency the read was served with: {@code STALE} when a server
     *                    answered from its own state, {@code DEFAULT} or {@code CONSISTENT} when the
     *                    read passed that barrier
     * @param cacheHit    whether the agent answered from its cache
     * @param cacheAge    for a cache hit, how old the cached answer is
     */
    public record Meta(long index, boolean knownLeader, Duration lastContact, ReadConsistency servedAs,
                       boolean cacheHit, Duration cacheAge) {
        /** No index, no leader information: the meta of an agent-local answer. */
        public static final Meta NONE = new Meta(0, false, Duration.ZERO, ReadConsistency.STALE, false, Duration.ZERO);

        public Meta {
            Objects.requireNonNull(lastContact, "lastContact");
            Objects.requireNonNull(servedAs, "servedAs");
            Objects.requireNonNull(cacheAge, "cacheAge");
        }

        /** The meta of a write that committed at {@code index}. */
        public static Meta written(long index) {
            return new Meta(index, true, Duration.ZERO, ReadConsistency.CONSISTENT, false, Duration.ZERO);
        }

        /** A copy marking a cache hit of age {@code age}. */
        public Meta asCacheHit(Duration age) {
            return new Meta(index, knownLeader, lastContact, servedAs, true, age);
        }
    }
}
