package io.tribune.agent.rpc;

/**
 * One operation of the agent's request layer: a typed request whose answer is an {@code R}. Every
 * front end (HTTP, gRPC, DNS, the CLI through HTTP) turns its wire format into operations and hands
 * them to {@link Requests#call}; where an operation runs, how it is forwarded, retried, held during
 * an election and (later) authorized is decided once, below the front ends.
 *
 * <p>An operation is a small immutable record that validates its fields when constructed (a bad
 * field is an {@link AgentException.Kind#BAD_REQUEST}), so the same checks apply to requests from
 * every front end and to those decoded from another agent. Operations are grouped by area in holder
 * classes ({@link Kv}, {@link Catalog}, {@link Health}, {@link Sessions}, {@link Events},
 * {@link Coordinates}, {@link Status}, {@link Operator}, {@link Snapshots}, {@link Txn},
 * {@link AgentOps}) and each implements exactly one of the route interfaces below, which says
 * where it runs:
 *
 * <ul>
 *   <li>{@link Read}: reads the replicated state with the caller's consistency
 *       ({@link Options#consistency()}); served by any server for {@code stale}, otherwise after the
 *       read barrier of the mode (a follower may serve it after a read-index round, or forwards it
 *       to the leader); supports blocking queries ({@link Options#minIndex()}).</li>
 *   <li>{@link Write}: changes the replicated state; runs on the leader of the datacenter, carries
 *       a client request id chosen where it entered, so a retried write applies at most once.</li>
 *   <li>{@link ServerOp}: answered by any server from what it knows (the leader's address, the
 *       datacenters), without a read barrier.</li>
 *   <li>{@link LocalOp}: about the agent that received it (its services and checks, its gossip
 *       pools); never forwarded.</li>
 * </ul>
 *
 * @param <R> the type of the answer's value
 */
public interface Op<R> {

    /**
     * The operation's stable name, e.g. {@code Kv.Get}: its RPC method between agents, and its name
     * in logs, metrics and authorization. Derived from the record's class: the holder class and the
     * record's simple name. (Not {@code name()}: records such as {@link Sessions.Create} have a field
     * of that name.)
     */
    default String opName() {
        return nameOf(getClass());
    }

    /** {@link #opName()} of an operation class. */
    static String nameOf(Class<?> type) {
        String n = type.getName();
        int dot = n.lastIndexOf('.');
        return n.substring(dot + 1).replace('$', '.');
    }

    /** A read of the replicated state, routed by its consistency mode. */
    interface Read<R> extends Op<R> {
    }

    /** A change of the replicated state, run on the leader. */
    interface Write<R> extends Op<R> {
    }

    /** A question any server answers from its own view, without a read barrier. */
    interface ServerOp<R> extends Op<R> {
    }

    /** An operation on the agent that received it; never leaves it. */
    interface LocalOp<R> extends Op<R> {
    }
}
