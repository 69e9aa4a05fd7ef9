package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.state.RequestId;
import java.util.Objects;
import java.util.Optional;

/**
 * One request as the request layer carries it between agents: the operation, its options, the
 * client request id of a write, the agent where it entered, and the hop it took.
 *
 * @param op         the operation
 * @param options    its options
 * @param requestId  for a write, the id chosen where it entered; empty for reads
 * @param originNode the node name of the agent where the request entered
 * @param hop        how it reached the agent serving it now
 */
public record Envelope(Op<?> op, Options options, Optional<RequestId> requestId, String originNode, Hop hop) {

    /** How a request reached the agent that serves it; bounds forwarding. */
    public enum Hop {
        /** It entered here, from a front end or the agent itself. */
        NONE,
        /** A client agent sent it to a server of its datacenter. */
        CLIENT,
        /** A server sent it to a server of another datacenter. */
        DATACENTER,
        /** A follower sent it to its leader. */
        LEADER
    }

    public Envelope {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(originNode, "originNode");
        Objects.requireNonNull(hop, "hop");
    }

    /** A copy that took {@code h}. */
    public Envelope via(Hop h) {
        return new Envelope(op, options, requestId, originNode, h);
    }

    /** A copy with other options (e.g. a stale read whose bound was not met becomes a default read). */
    public Envelope with(Options o) {
        return new Envelope(op, o, requestId, originNode, hop);
    }
}
