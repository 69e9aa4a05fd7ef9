package io.tribune.grpcapi.internal;

import com.google.protobuf.MessageLite;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Response;
import io.tribune.api.Scheduler;
import io.tribune.api.grpc.v1.ReadOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The server's open watch streams: bounded in number (a new watch beyond {@link #maxWatches} is
 * refused with RESOURCE_EXHAUSTED), and all ended with UNAVAILABLE when the server closes.
 */
public final class Watches {
    private final Backend backend;
    private final Scheduler scheduler;
    private final int maxWatches;
    private final int maxMessageBytes;
    private final Set<WatchStream<?, ?>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param scheduler       runs the retries of failed queries
     * @param maxWatches      most concurrent watch streams
     * @param maxMessageBytes largest message a watch may send
     */
    public Watches(Backend backend, Scheduler scheduler, int maxWatches, int maxMessageBytes) {
        this.backend = backend;
        this.scheduler = scheduler;
        this.maxWatches = maxWatches;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Opens a watch of {@code op} with {@code read}'s options answering on {@code out}: attaches its
     * handlers at once (we are inside the RPC method), then streams {@code render}'s messages.
     */
    public <R, M extends MessageLite> void open(StreamObserver<M> out, Op<R> op, ReadOptions read, long minIndex,
                                                Function<Response<R>, M> render) {
        ServerCallStreamObserver<M> call = (ServerCallStreamObserver<M>) out;
        if (closed) {
            out.onError(io.grpc.Status.UNAVAILABLE.withDescription("the gRPC API is shutting down")
                    .asRuntimeException());
            return;
        }
        if (open.size() >= maxWatches) {
            out.onError(Errors.limit("too many open watches on this agent (limit " + maxWatches + ")"));
            return;
        }
        WatchStream<R, M> w = new WatchStream<>(call, backend.requests(), op, Backend.options(read), render, scheduler,
                maxMessageBytes, open::remove);
        open.add(w);
        w.attach();
        w.start(minIndex);
    }

    /** Number of open watches. */
    public int size() {
        return open.size();
    }

    /** Ends every open watch with UNAVAILABLE and refuses new ones. */
    public void closeAll() {
        closed = true;
        List<WatchStream<?, ?>> all = new ArrayList<>(open);
        all.forEach(WatchStream::shutdown);
    }
}
