package io.tribune.grpcapi.internal;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.Scheduler;
import io.tribune.state.BlockingWait;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One server-streaming watch, fed by blocking queries through the agent's request layer: each
 * query waits until the watched data's index passes the last one sent, so a watch works on any
 * agent (a client agent's queries go to a server, a follower's are served after a read-index round
 * or by the leader) and in every consistency mode, and a write to other data costs the stream
 * nothing.
 *
 * <p><b>Level-triggered, coalescing.</b> Every message is the complete current value of the watched
 * data with its index. The next blocking query is issued only when gRPC's flow control says the
 * client can take a message ({@code isReady}, then the on-ready handler), so a slow client gets the
 * newest value once it catches up, intermediate values are coalesced, and the server holds at most
 * one message per stream beyond gRPC's own transport buffer.
 *
 * <p><b>Indexes.</b> A value is sent only when its index exceeds the last one sent (or the request's
 * {@code min_index} at first), so a stream's indexes strictly increase. A blocking query that ends
 * without a change is simply issued again; so is one that reports a higher index with the same value
 * as the last message (a missing key reports the KV table's index, which other keys' writes raise):
 * the stream then waits past that index without sending.
 *
 * <p><b>Failures.</b> While no leader or server can answer (an election, servers unreachable) the
 * query is retried with backoff (250 ms doubling to 10 s) and the stream stays open; any other
 * failure ends it with its status. The client cancelling closes it; the server closing ends it with
 * UNAVAILABLE; a value larger than the message limit ends it with RESOURCE_EXHAUSTED.
 *
 * @param <R> the operation's value type
 * @param <M> the message type
 */
public final class WatchStream<R, M extends MessageLite> {
    /** First retry delay after a failed query. */
    static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    /** Longest retry delay. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final ServerCallStreamObserver<M> call;
    private final Requests requests;
    private final Op<R> op;
    private final Options base;
    private final Function<Response<R>, M> render;
    private final Scheduler scheduler;
    private final int maxMessageBytes;
    private final Consumer<WatchStream<?, ?>> onEnd;
    private long sentIndex;
    /** The value of the last message sent; meaningful once {@link #sent} > 0. */
    private R sentValue;
    private boolean started;
    private boolean inFlight;
    private boolean ended;
    private int failures;
    private long sent;

    /**
     * A watch answering on {@code call}; call {@link #attach()} from the RPC method, then {@link #start}.
     *
     * @param base    the read's options (consistency, datacenter, token); blocking is added per query
     * @param render  the message of one answer
     * @param onEnd   told once when the stream ends, for the server's registry of watches
     */
    public WatchStream(ServerCallStreamObserver<M> call, Requests requests, Op<R> op, Options base,
                       Function<Response<R>, M> render, Scheduler scheduler, int maxMessageBytes,
                       Consumer<WatchStream<?, ?>> onEnd) {
        this.call = call;
        this.requests = requests;
        this.op = op;
        this.base = base;
        this.render = render;
        this.scheduler = scheduler;
        this.maxMessageBytes = maxMessageBytes;
        this.onEnd = onEnd;
    }

    /** Installs the flow-control and cancel handlers; must run inside the RPC method. */
    public void attach() {
        call.setOnReadyHandler(this::next);
        call.setOnCancelHandler(this::cancelled);
    }

    /** Starts querying; the first message is sent once the data's index exceeds {@code minIndex}. */
    public void start(long minIndex) {
        synchronized (this) {
            if (ended) {
                return;
            }
            sentIndex = minIndex;
            started = true;
        }
        next();
    }

    /** Issues the next blocking query when none is in flight and the client can take a message. */
    private void next() {
        long index;
        synchronized (this) {
            if (!started || ended || inFlight || !call.isReady()) {
                return;
            }
            inFlight = true;
            index = sentIndex;
        }
        Options o = index == 0 ? base.blocking(0, Duration.ZERO) : base.blocking(index, BlockingWait.DEFAULT_WAIT);
        requests.call(op, o).whenComplete(this::answered);
    }

    private void answered(Response<R> r, Throwable t) {
        if (t != null) {
            AgentException e = AgentException.of(t);
            boolean retry = switch (e.kind()) {
                case NO_LEADER, NO_SERVERS, UNAVAILABLE, TIMEOUT -> true;
                default -> false;
            };
            if (!retry) {
                end(Errors.toStatus(e));
                return;
            }
            Duration delay;
            synchronized (this) {
                inFlight = false;
                failures++;
                long ms = MIN_BACKOFF.toMillis() << Math.min(failures - 1, 10);
                delay = Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
            }
            scheduler.schedule(delay, this::next);
            return;
        }
        synchronized (this) {
            inFlight = false;
            failures = 0;
            if (ended) {
                return;
            }
            long idx = r.meta().index();
            if (idx > sentIndex && sent > 0 && java.util.Objects.equals(r.value(), sentValue)) {
                sentIndex = idx;
            } else if (idx > sentIndex) {
                M m;
                try {
                    m = render.apply(r);
                } catch (RuntimeException ex) {
                    endLocked(Errors.toStatus(ex));
                    return;
                }
                if (m.getSerializedSize() > maxMessageBytes) {
                    endLocked(Errors.limit("the watched data (" + m.getSerializedSize() + " bytes) exceeds the "
                            + "message limit of " + maxMessageBytes + " bytes; watch a narrower prefix"));
                    return;
                }
                sentIndex = idx;
                sentValue = r.value();
                sent++;
                call.onNext(m);
            }
        }
        next();
    }

    /** Messages sent so far. */
    public synchronized long sent() {
        return sent;
    }

    private void cancelled() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
        }
        onEnd.accept(this);
    }

    /** Ends the stream with {@code error} (server shutdown, limits, a failed query). Idempotent. */
    public void end(RuntimeException error) {
        boolean now;
        synchronized (this) {
            now = !ended;
            if (now) {
                endLocked(error);
            }
        }
    }

    private void endLocked(RuntimeException error) {
        if (ended) {
            return;
        }
        ended = true;
        try {
            call.onError(error);
        } catch (IllegalStateException alreadyClosed) {
            // The call ended concurrently (client cancel); nothing left to tell.
        }
        onEnd.accept(this);
    }

    /** Ends the stream because the server is closing. */
    public void shutdown() {
        end(Status.UNAVAILABLE.withDescription("the gRPC API is shutting down").asRuntimeException());
    }
}
