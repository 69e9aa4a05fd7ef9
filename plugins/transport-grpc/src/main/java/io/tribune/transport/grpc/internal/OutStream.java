package io.tribune.transport.grpc.internal;

import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A client-streaming call from this transport.
 *
 * <p>Backpressure follows gRPC's readiness: a send completes at once while the call
 * {@linkplain ClientCall#isReady() is ready} (HTTP/2 window open and little buffered), otherwise
 * when {@link #onReady()} reports it ready again. The receiver asks for the next chunk only after
 * acknowledging the last, so a stalled receiver closes the window and holds the sender.
 *
 * <p>State is guarded by {@code this}; gRPC's callbacks and the caller's calls may come from
 * different threads.
 */
final class OutStream extends ClientCall.Listener<byte[]> implements OutboundStream, GrpcTransport.OutgoingCall {
    private final ClientCall<byte[], byte[]> call;
    private final SendWitness witness;
    private final String what;
    private final int maxMessageBytes;
    private final CompletableFuture<byte[]> response = new CompletableFuture<>();
    private boolean started;
    private boolean finished;
    private boolean cancelledLocally;
    private TransportException failure;
    private CompletableFuture<Void> waitingForReady;
    private byte[] answer;

    OutStream(ClientCall<byte[], byte[]> call, SendWitness witness, String what, int maxMessageBytes,
              Consumer<OutStream> onEnd) {
        this.call = call;
        this.witness = witness;
        this.what = what;
        this.maxMessageBytes = maxMessageBytes;
        response.whenComplete((r, e) -> onEnd.accept(this));
    }

    /** A stream that failed before it started; {@code failure} should say it was not delivered. */
    static OutStream failed(TransportException failure, int maxMessageBytes) {
        OutStream s = new OutStream(null, null, "stream", maxMessageBytes, x -> { });
        s.fail(failure);
        return s;
    }

    synchronized void start(String method) {
        if (failure != null) {
            return;
        }
        Metadata headers = new Metadata();
        headers.put(Wire.METHOD_KEY, method);
        call.start(this, headers);
        call.request(1);
        started = true;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called before the previous send completed, or after finish
     */
    @Override
    public CompletableFuture<Void> send(byte[] chunk) {
        Objects.requireNonNull(chunk, "chunk");
        synchronized (this) {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (finished) {
                throw new IllegalStateException(what + ": send after finish");
            }
            if (waitingForReady != null) {
                throw new IllegalStateException(what + ": send before the previous send completed");
            }
            if (chunk.length > maxMessageBytes) {
                return CompletableFuture.failedFuture(TransportException.undelivered(Code.TOO_LARGE, what
                        + ": chunk of " + chunk.length + " bytes exceeds the limit of " + maxMessageBytes
                        + " bytes; not sent"));
            }
            call.sendMessage(chunk);
            if (call.isReady()) {
                return CompletableFuture.completedFuture(null);
            }
            waitingForReady = new CompletableFuture<>();
            return waitingForReady;
        }
    }

    @Override
    public void onReady() {
        CompletableFuture<Void> w;
        synchronized (this) {
            if (waitingForReady == null || !call.isReady()) {
                return;
            }
            w = waitingForReady;
            waitingForReady = null;
        }
        w.complete(null);
    }

    @Override
    public synchronized CompletableFuture<byte[]> finish() {
        if (failure == null && !finished) {
            finished = true;
            call.halfClose();
        }
        return response;
    }

    @Override
    public void cancel(String reason) {
        cancel(new TransportException(Code.CANCELLED, what + " cancelled by the caller: " + reason));
    }

    @Override
    public void cancel(TransportException cause) {
        boolean wire;
        synchronized (this) {
            if (failure != null || response.isDone()) {
                return;
            }
            cancelledLocally = true;
            wire = started;
        }
        fail(cause);
        if (wire) {
            call.cancel(cause.getMessage(), null);
        }
    }

    @Override
    public void onMessage(byte[] message) {
        synchronized (this) {
            answer = message;
        }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
        byte[] a;
        boolean local;
        synchronized (this) {
            a = answer;
            local = cancelledLocally;
        }
        if (status.isOk() && a != null) {
            CompletableFuture<Void> w;
            synchronized (this) {
                w = waitingForReady;
                waitingForReady = null;
            }
            if (w != null) {
                w.complete(null);
            }
            response.complete(a);
        } else if (status.isOk()) {
            fail(new TransportException(Code.INTERNAL, what + ": the receiver sent no response"));
        } else {
            fail(Wire.toTransport(status, trailers, local, what, witness.nothingSent()));
        }
    }

    private void fail(TransportException cause) {
        CompletableFuture<Void> w;
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = cause;
            w = waitingForReady;
            waitingForReady = null;
        }
        if (w != null) {
            w.completeExceptionally(cause);
        }
        response.completeExceptionally(cause);
    }
}
