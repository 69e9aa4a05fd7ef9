package io.tribune.grpcapi.internal;

import com.google.protobuf.MessageLite;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The server's open watch streams: bounded in number (a new watch beyond {@link #maxWatches} is
 * refused with RESOURCE_EXHAUSTED), and all ended with UNAVAILABLE when the server closes.
 */
public final class Watches {
    private final Backend backend;
    private final int maxWatches;
    private final int maxMessageBytes;
    private final Set<WatchStream<?>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param maxWatches      most concurrent watch streams
     * @param maxMessageBytes largest message a watch may send
     */
    public Watches(Backend backend, int maxWatches, int maxMessageBytes) {
        this.backend = backend;
        this.maxWatches = maxWatches;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Opens a watch answering on {@code out}: attaches its handlers at once (we are inside the RPC
     * method), passes the read barrier of {@code read}, then streams {@code reader}'s values.
     */
    public <M extends MessageLite> void open(StreamObserver<M> out, WatchTarget target, ReadOptions read,
                                             long minIndex, Supplier<WatchStream.Snapshot<M>> reader) {
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
        WatchStream<M> w = new WatchStream<>(call, backend.state(), target, reader, maxMessageBytes, open::remove);
        open.add(w);
        w.attach();
        backend.read(read, () -> Boolean.TRUE).whenComplete((ok, t) -> {
            if (t != null) {
                w.end(Errors.toStatus(t));
            } else {
                w.start(minIndex);
            }
        });
    }

    /** Number of open watches. */
    public int size() {
        return open.size();
    }

    /** Ends every open watch with UNAVAILABLE and refuses new ones. */
    public void closeAll() {
        closed = true;
        List<WatchStream<?>> all = new ArrayList<>(open);
        all.forEach(WatchStream::shutdown);
    }
}
