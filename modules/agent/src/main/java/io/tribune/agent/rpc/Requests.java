package io.tribune.agent.rpc;

import java.util.concurrent.CompletableFuture;

/**
 * The agent's request layer: the one entry point of every front end (HTTP {@code /v1}, the gRPC API,
 * DNS) and of the agent's own duties (anti-entropy, its catalog registrations).
 *
 * <p>For each call it decides once, for every front end: whether the operation is served here or
 * forwarded (client agent to a server, follower to the leader, to a server of another datacenter),
 * holds a request while no leader or server is known (up to {@code rpc_hold_timeout}), retries on
 * another server when one cannot be reached, gives a write a client request id so that every retry
 * applies at most once, passes the read barrier of the requested consistency and waits for a
 * blocking query's index.
 *
 * <p><b>Threading.</b> Thread-safe and non-blocking: the future completes on a platform or transport
 * thread, or on the caller's thread when the answer is ready at once (a read on a leader under its
 * lease). Callers must not block in callbacks.
 *
 * <p><b>Failures.</b> The future fails with {@link AgentException}; its {@link AgentException.Kind}
 * says what happened. An operation whose fields are invalid fails before anything is sent.
 */
public interface Requests {

    /**
     * Runs {@code op} with {@code options} wherever it must run.
     *
     * @return the value and its metadata
     */
    <R> CompletableFuture<Response<R>> call(Op<R> op, Options options);

    /** {@link #call} with {@link Options#DEFAULT}. */
    default <R> CompletableFuture<Response<R>> call(Op<R> op) {
        return call(op, Options.DEFAULT);
    }
}
