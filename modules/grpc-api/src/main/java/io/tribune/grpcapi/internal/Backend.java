package io.tribune.grpcapi.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.QueryMeta;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.api.grpc.v1.WriteMeta;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every service of the gRPC API shares: the agent's request layer (every call goes through it,
 * so a client agent forwards to a server and a follower serves or forwards as the consistency asks,
 * exactly as for HTTP), the translation of {@link ReadOptions} into the layer's {@link Options}, the
 * metadata answered with each call, and the server's executor, where answers are built.
 */
public final class Backend {
    private final Requests requests;
    private final Executor executor;

    /** A backend over {@code requests}; callbacks run on {@code executor}. */
    public Backend(Requests requests, Executor executor) {
        this.requests = requests;
        this.executor = executor;
    }

    /** The request layer. */
    public Requests requests() {
        return requests;
    }

    /** The server's executor. */
    public Executor executor() {
        return executor;
    }

    /** The layer's options for a read with {@code opts}. */
    public static Options options(ReadOptions opts) {
        String token = opts.getToken().isEmpty() ? CallToken.current() : opts.getToken();
        return new Options(opts.getDatacenter(), token, mode(opts),
                Duration.ofMillis(Math.max(0, opts.getMaxStaleMillis())), opts.getMinIndex(),
                Duration.ofMillis(Math.max(0, opts.getWaitMillis())), false);
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

    /** Runs a read with {@code opts}; the answer is built by {@code build} on the server's executor. */
    public <R, T> CompletableFuture<T> read(Op<R> op, ReadOptions opts, Function<Response<R>, T> build) {
        return requests.call(op, options(opts)).thenApplyAsync(build, executor);
    }

    /**
     * Runs a write (or an agent operation), in the datacenter the call names in its metadata
     * ({@link DatacenterHeader}; agent operations always run here); the answer is built by
     * {@code build} on the server's executor. Call on the thread of the service method.
     */
    public <R, T> CompletableFuture<T> write(Op<R> op, Function<Response<R>, T> build) {
        return requests.call(op, Options.DEFAULT.withDatacenter(DatacenterHeader.current())
                .withToken(CallToken.current())).thenApplyAsync(build, executor);
    }

    /** Query metadata of an answer. */
    public static QueryMeta meta(Response.Meta m) {
        return QueryMeta.newBuilder().setIndex(Math.max(1, m.index())).setKnownLeader(m.knownLeader())
                .setLastContactMillis(m.lastContact().toMillis()).setServedAs(switch (m.servedAs()) {
                    case STALE -> Consistency.CONSISTENCY_STALE;
                    case CONSISTENT -> Consistency.CONSISTENCY_CONSISTENT;
                    case DEFAULT -> Consistency.CONSISTENCY_DEFAULT;
                }).build();
    }

    /** Write metadata of an answer. */
    public static WriteMeta writeMeta(Response.Meta m) {
        return WriteMeta.newBuilder().setIndex(m.index()).build();
    }

    /** How long the call may still take: its deadline, or 10 s without one. */
    static Duration timeout() {
        Deadline d = Context.current().getDeadline();
        if (d == null) {
            return Duration.ofSeconds(10);
        }
        return Duration.ofMillis(Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS)));
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
}
