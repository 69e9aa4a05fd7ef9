package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.state.Command;
import io.tribune.state.Indexed;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What this agent can run itself: one handler per operation type, registered by the duties that
 * own the data (server endpoints for the replicated state, the local state for agent operations).
 * The {@link Router} decides where an operation runs; a handler only runs it.
 *
 * <p>Registration happens while the agent starts; lookups are thread-safe afterwards.
 */
public final class Handlers {

    /** Reads the replicated state on a server, after the read barrier (and a blocking wait). */
    public interface ReadHandler<O extends Op.Read<R>, R> {
        /**
         * What a blocking query of {@code op} waits on; empty when the operation cannot block (its
         * answer is then given at once whatever the index).
         */
        Optional<WatchTarget> target(O op);

        /**
         * Reads. Called once the barrier passed, on the caller's thread, a consensus or watch
         * thread, or the response executor; must not block. The index is the one to report (at least
         * 1 is reported).
         *
         * @param barrierIndex the index the read barrier completed with
         */
        Indexed<R> read(O op, StateStore state, Consensus consensus, long barrierIndex);

        /** Whether reading is heavy (megabytes) and must run on the platform's threads. */
        default boolean heavy() {
            return false;
        }
    }

    /** Changes the replicated state; runs on the server that believes it leads. */
    public interface WriteHandler<O extends Op.Write<R>, R> {
        /**
         * Builds and proposes the commands of {@code op}. A proposal that finds this server is not the
         * leader fails with {@link io.tribune.api.consensus.NotLeaderException}, which the router
         * turns into forwarding; any other failure is the answer.
         */
        CompletableFuture<Response<R>> write(O op, WriteContext ctx);
    }

    /** Answers from what this server knows, without a barrier. */
    public interface ServerHandler<O extends Op.ServerOp<R>, R> {
        R answer(O op);
    }

    /** Runs an operation on this agent. */
    public interface LocalHandler<O extends Op.LocalOp<R>, R> {
        CompletableFuture<R> run(O op, Options options);
    }

    /** What a write handler may use. */
    public interface WriteContext {
        /** The request's client request id: the same on every retry of it, wherever it is served. */
        RequestId requestId();

        /** The agent where the request entered (e.g. the default node of a new session). */
        String originNode();

        /** The leader's wall clock, for commands that carry time. */
        long wallMillis();

        /** This server's state store (the leader's). */
        StateStore state();

        /** This server's consensus. */
        Consensus consensus();

        /**
         * Validates {@code cmd} ({@code BAD_REQUEST} without proposing when invalid) and proposes it
         * under the request id, so that a retry of the request is answered with the first result
         * instead of applying again; the applied result is that first result.
         */
        CompletableFuture<Applied> propose(Command cmd);

        /** As {@link #propose(Command)} under {@code id} (one of several commands of one request). */
        CompletableFuture<Applied> propose(Command cmd, RequestId id);

        /**
         * Sends this write unchanged (its request id, token and origin) to a server of datacenter
         * {@code datacenter}, which serves it as a write of its own (Consul's secondary datacenters
         * forward ACL writes to the primary this way); completes with that answer or its failure.
         * Non-blocking; a datacenter with no known server fails at once with
         * {@code NO_PATH_TO_DATACENTER}.
         */
        default CompletableFuture<Response<?>> forwardTo(String datacenter) {
            return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.UNSUPPORTED,
                    "this write cannot be forwarded"));
        }
    }

    private final Map<Class<?>, Object> handlers = new LinkedHashMap<>();

    /** Registers the handler of read operations of type {@code type}. */
    public synchronized <O extends Op.Read<R>, R> Handlers read(Class<O> type, ReadHandler<O, R> h) {
        return put(type, h);
    }

    /** Registers the handler of write operations of type {@code type}. */
    public synchronized <O extends Op.Write<R>, R> Handlers write(Class<O> type, WriteHandler<O, R> h) {
        return put(type, h);
    }

    /** Registers the handler of server operations of type {@code type}. */
    public synchronized <O extends Op.ServerOp<R>, R> Handlers server(Class<O> type, ServerHandler<O, R> h) {
        return put(type, h);
    }

    /** Registers the handler of local operations of type {@code type}. */
    public synchronized <O extends Op.LocalOp<R>, R> Handlers local(Class<O> type, LocalHandler<O, R> h) {
        return put(type, h);
    }

    private Handlers put(Class<?> type, Object h) {
        Objects.requireNonNull(h, "handler");
        if (handlers.putIfAbsent(type, h) != null) {
            throw new IllegalStateException("a handler of " + Op.nameOf(type) + " is already registered");
        }
        return this;
    }

    /** Whether this agent can run operations of {@code type}. */
    public synchronized boolean has(Class<?> type) {
        return handlers.containsKey(type);
    }

    /**
     * The handler of {@code op}'s type.
     *
     * @throws AgentException {@code UNSUPPORTED} when none is registered
     */
    @SuppressWarnings("unchecked")
    synchronized <H> H of(Op<?> op) {
        Object h = handlers.get(op.getClass());
        if (h == null) {
            throw new AgentException(AgentException.Kind.UNSUPPORTED, op.opName() + " is not served by this agent");
        }
        return (H) h;
    }
}
