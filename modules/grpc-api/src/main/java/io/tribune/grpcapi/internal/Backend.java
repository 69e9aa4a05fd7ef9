package io.tribune.grpcapi.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.Agent;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.api.grpc.v1.QueryMeta;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.api.grpc.v1.WriteMeta;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What every service needs from the agent: the state store and consensus, writes proposed through
 * consensus after {@link CommandValidator} (never around it), reads behind the read barrier of the
 * requested consistency, the metadata answered with each, and the input checks of read requests.
 *
 * <p>Futures of consensus complete on plugin threads, so results are handed to {@link #executor}
 * (the server's own) before any response work runs.
 */
public final class Backend {
    /** Longest a write waits for its commit, and a read for its barrier, when the call has no shorter deadline. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final Agent agent;
    private final Executor executor;

    /** A backend over {@code agent}; callbacks run on {@code executor}. */
    public Backend(Agent agent, Executor executor) {
        this.agent = agent;
        this.executor = executor;
    }

    /** The agent served. */
    public Agent agent() {
        return agent;
    }

    /** The server's executor. */
    public Executor executor() {
        return executor;
    }

    /** The state store, or UNAVAILABLE on a client agent (forwarding to servers is not there yet). */
    public StateStore state() {
        return agent.state().orElseThrow(() -> Errors.error(Status.Code.UNAVAILABLE,
                ErrorReason.ERROR_REASON_NOT_A_SERVER,
                "this agent is a client; forwarding to servers is not available yet", Map.of()));
    }

    /** Consensus, or UNAVAILABLE on a client agent. */
    public Consensus consensus() {
        return agent.consensus().orElseThrow(() -> Errors.error(Status.Code.UNAVAILABLE,
                ErrorReason.ERROR_REASON_NOT_A_SERVER,
                "this agent is a client; forwarding to servers is not available yet", Map.of()));
    }

    /** The proposer's wall clock for commands that carry time. */
    public long wallMillis() {
        return agent.platform().wallMillis();
    }

    /** How long to wait for the cluster: {@link #MAX_WAIT}, or less when the call's deadline is nearer. */
    public static Duration timeout() {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return MAX_WAIT;
        }
        long left = Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
        return Duration.ofMillis(Math.min(left, MAX_WAIT.toMillis()));
    }

    /** A committed command's index and result. */
    public record Written(long index, CommandResult result) {
        /** Write metadata for the response. */
        public WriteMeta meta() {
            return WriteMeta.newBuilder().setIndex(index).build();
        }
    }

    /**
     * Validates {@code cmd} (INVALID_ARGUMENT, nothing proposed, when bad) and proposes it; the
     * future carries the index and decoded result, on the server executor.
     */
    public CompletableFuture<Written> write(Command cmd) {
        CommandValidator.validate(cmd).ifPresent(m -> {
            throw Errors.invalid(m);
        });
        // Through the agent's forwarder: a follower sends the write to the leader (holding during an
        // election), a client agent to a server, exactly as the HTTP API does.
        return agent.rpc().apply(cmd.encode(), timeout(), false)
                .thenApplyAsync(a -> new Written(a.index(), CommandResult.decode(a.result())), executor);
    }

    /** Like {@link #write} but a {@link CommandResult.Failed} result fails the future with its status. */
    public CompletableFuture<Written> writeOk(Command cmd) {
        return write(cmd).thenApply(w -> {
            if (w.result() instanceof CommandResult.Failed) {
                throw Errors.failed(w.result());
            }
            return w;
        });
    }

    /** The read-barrier mode for {@code opts}. */
    public static ReadConsistency mode(ReadOptions opts) {
        return switch (opts.getConsistency()) {
            case CONSISTENCY_CONSISTENT -> ReadConsistency.CONSISTENT;
            case CONSISTENCY_STALE -> ReadConsistency.STALE;
            case CONSISTENCY_DEFAULT -> ReadConsistency.DEFAULT;
            default -> throw Errors.invalid("unknown consistency " + opts.getConsistencyValue()
                    + " (expected DEFAULT, CONSISTENT or STALE)");
        };
    }

    /** Passes the read barrier of {@code opts}, then runs {@code read} on the server executor. */
    public <T> CompletableFuture<T> read(ReadOptions opts, Supplier<T> read) {
        ReadConsistency mode = mode(opts);
        state();
        return consensus().readBarrier(mode, timeout()).thenApplyAsync(i -> read.get(), executor);
    }

    /** Query metadata for data read at {@code index}: known leader and last contact. */
    public QueryMeta meta(long index) {
        Optional<Consensus> c = agent.consensus();
        QueryMeta.Builder b = QueryMeta.newBuilder().setIndex(Math.max(1, index));
        c.ifPresent(cons -> {
            b.setKnownLeader(cons.leadership().leader().isPresent());
            long contact = cons.lastContact().toMillis();
            b.setLastContactMillis(contact);
        });
        return b.build();
    }

    /**
     * Completes {@code out} with the future's value or its error status. Exceptions thrown by
     * {@code call} before it returns a future (bad input) are answered the same way.
     */
    public static <T> void unary(StreamObserver<T> out, Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            out.onError(Errors.toStatus(e));
            return;
        }
        f.whenComplete((v, t) -> {
            if (t != null) {
                out.onError(Errors.toStatus(t));
            } else {
                out.onNext(v);
                out.onCompleted();
            }
        });
    }

    // ---- input checks of read requests (writes are checked by CommandValidator)

    /** A KV key: present and at most {@link CommandValidator#MAX_KEY_BYTES}. */
    public static String key(String key) {
        if (key.isEmpty()) {
            throw Errors.invalid("missing key name");
        }
        return prefix(key);
    }

    /** A KV prefix ("" allowed), at most {@link CommandValidator#MAX_KEY_BYTES}. */
    public static String prefix(String prefix) {
        bounded("key", prefix, CommandValidator.MAX_KEY_BYTES);
        return prefix;
    }

    /** A required name (node, service, ...) of at most {@link CommandValidator#MAX_NAME_BYTES}. */
    public static String name(String what, String s) {
        if (s.isEmpty()) {
            throw Errors.invalid("missing " + what);
        }
        return optionalName(what, s);
    }

    /** An optional name ("" allowed) of at most {@link CommandValidator#MAX_NAME_BYTES}. */
    public static String optionalName(String what, String s) {
        bounded(what, s, CommandValidator.MAX_NAME_BYTES);
        return s;
    }

    /** A metadata filter of at most {@link CommandValidator#MAX_META_PAIRS} pairs. */
    public static Map<String, String> metaFilter(Map<String, String> m) {
        if (m.size() > CommandValidator.MAX_META_PAIRS) {
            throw Errors.invalid("node_meta has too many pairs (" + m.size() + " > "
                    + CommandValidator.MAX_META_PAIRS + ")");
        }
        m.forEach((k, v) -> {
            bounded("node_meta key", k, CommandValidator.MAX_META_KEY_BYTES);
            bounded("node_meta value", v, CommandValidator.MAX_META_VALUE_BYTES);
        });
        return m;
    }

    /** A session id in UUID form. */
    public static String sessionId(String id) {
        if (!CommandValidator.isSessionId(id)) {
            throw Errors.invalid("invalid session id '" + abbreviate(id) + "': expected a UUID");
        }
        return id;
    }

    private static void bounded(String what, String s, int max) {
        if (s.length() * 3 > max && s.getBytes(StandardCharsets.UTF_8).length > max) {
            throw Errors.invalid(what + " too long (more than " + max + " bytes)");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
