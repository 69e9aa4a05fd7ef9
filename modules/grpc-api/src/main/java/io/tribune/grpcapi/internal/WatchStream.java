package io.tribune.grpcapi.internal;

import com.google.protobuf.MessageLite;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tribune.api.Subscription;
import io.tribune.state.Change;
import io.tribune.state.ChangeListener;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One server-streaming watch, fed by the state store's per-target change feed
 * ({@link StateStore#subscribe(WatchTarget, ChangeListener)}), so a write to other data costs this
 * stream nothing.
 *
 * <p><b>Level-triggered, coalescing.</b> Every message is the complete current value of the
 * watched data with its index. A change only marks the stream dirty; the value is read and sent
 * when gRPC's flow control says the client can take it ({@code isReady}, then the on-ready
 * handler). A slow client therefore gets the newest value once it catches up, the intermediate
 * ones are coalesced, and the server holds at most one message per stream beyond gRPC's own
 * transport buffer: memory stays bounded without dropping slow clients.
 *
 * <p><b>Indexes.</b> A value is sent only when its index exceeds the last one sent (or the
 * request's {@code min_index} at first), so a stream's indexes strictly increase, and a change
 * already covered by an earlier read sends nothing twice. A snapshot restore
 * ({@link ChangeListener#onReset}) forgets the last index and sends the restored value; a feed
 * overflow ({@link ChangeListener#onOverflow}) re-subscribes and re-reads, which loses nothing
 * because the next message is the current value anyway.
 *
 * <p><b>Ends.</b> The client cancelling (or its deadline passing) closes the subscription; the
 * server closing ends the stream with UNAVAILABLE; a value larger than the message limit ends it
 * with RESOURCE_EXHAUSTED.
 *
 * @param <M> the message type
 */
public final class WatchStream<M extends MessageLite> implements ChangeListener {
    /** A value to send and the index it was read at. */
    public record Snapshot<M>(long index, M message) {
    }

    private final ServerCallStreamObserver<M> call;
    private final StateStore state;
    private final WatchTarget target;
    private final Supplier<Snapshot<M>> reader;
    private final int maxMessageBytes;
    private final Consumer<WatchStream<M>> onEnd;
    private Subscription subscription;
    private long sentIndex;
    private boolean dirty;
    private boolean started;
    private boolean ended;
    private long sent;

    /**
     * A watch answering on {@code call}; call {@link #attach()} from the RPC method, then
     * {@link #start(long)} once the first read may happen.
     *
     * @param onEnd told once when the stream ends, for the server's registry of watches
     */
    public WatchStream(ServerCallStreamObserver<M> call, StateStore state, WatchTarget target,
                       Supplier<Snapshot<M>> reader, int maxMessageBytes, Consumer<WatchStream<M>> onEnd) {
        this.call = call;
        this.state = state;
        this.target = target;
        this.reader = reader;
        this.maxMessageBytes = maxMessageBytes;
        this.onEnd = onEnd;
    }

    /** Installs the flow-control and cancel handlers; must run inside the RPC method. */
    public void attach() {
        call.setOnReadyHandler(this::pump);
        call.setOnCancelHandler(this::cancelled);
    }

    /** Subscribes and sends the current value once its index exceeds {@code minIndex}. */
    public void start(long minIndex) {
        // Subscribe before the first read: a write between them is then either in the read or in
        // a later notification, never lost. (Outside this object's lock, see onOverflow.)
        Subscription s = state.subscribe(target, this);
        boolean keep;
        synchronized (this) {
            keep = !ended;
            if (keep) {
                subscription = s;
                sentIndex = minIndex;
                started = true;
                dirty = true;
            }
        }
        if (!keep) {
            s.close();
            return;
        }
        pump();
    }

    @Override
    public void onChanges(long index, List<Change> changes) {
        markDirty();
    }

    @Override
    public void onReset(long index) {
        synchronized (this) {
            sentIndex = 0;
        }
        markDirty();
    }

    @Override
    public void onOverflow() {
        // Subscribing outside this object's lock: the feed may hold its own lock while delivering.
        Subscription fresh = state.subscribe(target, this);
        boolean keep;
        synchronized (this) {
            keep = !ended;
            if (keep) {
                subscription = fresh;
            }
        }
        if (!keep) {
            fresh.close();
            return;
        }
        markDirty();
    }

    private void markDirty() {
        synchronized (this) {
            dirty = true;
        }
        pump();
    }

    /** Sends the current value if something changed and the client can take it. */
    private synchronized void pump() {
        if (!started || ended || !dirty || !call.isReady()) {
            return;
        }
        dirty = false;
        Snapshot<M> s;
        try {
            s = reader.get();
        } catch (RuntimeException e) {
            end(Errors.toStatus(e));
            return;
        }
        if (s.index() <= sentIndex) {
            return;
        }
        if (s.message().getSerializedSize() > maxMessageBytes) {
            end(Errors.limit("the watched data (" + s.message().getSerializedSize()
                    + " bytes) exceeds the message limit of " + maxMessageBytes + " bytes; watch a narrower prefix"));
            return;
        }
        sentIndex = s.index();
        sent++;
        call.onNext(s.message());
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
        closeSubscription();
        onEnd.accept(this);
    }

    /** Ends the stream with {@code error} (server shutdown, limits). Idempotent. */
    public void end(RuntimeException error) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            try {
                call.onError(error);
            } catch (IllegalStateException alreadyClosed) {
                // The call ended concurrently (client cancel); nothing left to tell.
            }
        }
        closeSubscription();
        onEnd.accept(this);
    }

    /** Ends the stream because the server is closing. */
    public void shutdown() {
        end(Status.UNAVAILABLE.withDescription("the gRPC API is shutting down").asRuntimeException());
    }

    /** Closes the feed subscription outside this object's lock (see {@link #onOverflow()}). */
    private void closeSubscription() {
        Subscription s;
        synchronized (this) {
            s = subscription;
        }
        if (s != null) {
            s.close();
        }
    }
}
