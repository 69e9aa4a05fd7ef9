package io.tribune.transport.inproc.internal;

import io.tribune.api.Cancellable;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One client-streaming call, seen from both ends.
 *
 * <p>Caller-side state ({@link #failure}, {@link #pendingSend}, {@link #finishCalled}) is guarded by
 * {@link #lock}. Receiver-side state ({@link #receiver}, {@link #receiverClosed}) is confined to the
 * server's serial executor, which also gives the receiver its "one callback at a time, in order"
 * guarantee. Backpressure: a send completes only after the receiver's {@code onChunk} future
 * completes, and the next send is refused until then, so at most one chunk is ever buffered.
 */
final class StreamCall implements OutboundStream, InFlight {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    final InProcTransport caller;
    /** Null when no transport listened on the target; the stream is then failed at once. */
    private final InProcTransport server;
    final Endpoint target;
    final String method;
    private final Executor serverSerial;
    private final CompletableFuture<byte[]> response = new CompletableFuture<>();
    /** Set once by the caller right after creation. */
    volatile Cancellable timer;

    private final Object lock = new Object();
    private TransportException failure;
    private CompletableFuture<Void> pendingSend;
    private boolean finishCalled;

    private StreamHandler.Receiver receiver;
    private boolean receiverClosed;

    StreamCall(InProcTransport caller, InProcTransport server, Endpoint target, String method, long id) {
        this.caller = caller;
        this.server = server;
        this.target = target;
        this.method = method;
        this.serverSerial = server == null ? Runnable::run : server.scheduler().serial("inproc-stream-" + id);
    }

    /** Asks the server's handler for a receiver; runs on the server's serial executor. */
    void open(CallContext context) {
        serverSerial.execute(() -> {
            if (failed()) {
                return;
            }
            StreamHandler h = server.streamHandler(method);
            if (h == null) {
                fail(new TransportException(Code.NO_HANDLER, "no stream handler for '" + method + "' on "
                        + server.local()));
                return;
            }
            StreamHandler.Receiver r;
            try {
                r = h.open(context);
            } catch (Throwable t) {
                fail(Failures.fromHandler(method, t));
                return;
            }
            if (r == null) {
                fail(new TransportException(Code.HANDLER_ERROR, "stream handler for '" + method
                        + "' returned no receiver"));
                return;
            }
            receiver = r;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called before the previous send completed, or after finish
     */
    @Override
    public CompletableFuture<Void> send(byte[] chunk) {
        Objects.requireNonNull(chunk, "chunk");
        CompletableFuture<Void> sent = new CompletableFuture<>();
        synchronized (lock) {
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            if (finishCalled) {
                throw new IllegalStateException("send after finish on stream '" + method + "'");
            }
            if (pendingSend != null && !pendingSend.isDone()) {
                throw new IllegalStateException("send on stream '" + method
                        + "' before the previous send completed");
            }
            if (chunk.length > caller.maxMessageBytes()) {
                return CompletableFuture.failedFuture(TransportException.undelivered(Code.TOO_LARGE, "chunk of "
                        + chunk.length + " bytes exceeds the limit of " + caller.maxMessageBytes()
                        + " bytes; not sent"));
            }
            pendingSend = sent;
        }
        byte[] copy = chunk.clone();
        serverSerial.execute(() -> deliverChunk(copy, sent));
        return sent;
    }

    private void deliverChunk(byte[] chunk, CompletableFuture<Void> sent) {
        if (failed() || receiver == null) {
            return; // fail() has completed sent
        }
        if (chunk.length > server.maxMessageBytes()) {
            fail(new TransportException(Code.TOO_LARGE, "chunk of " + chunk.length + " bytes exceeds the limit of "
                    + server.maxMessageBytes() + " bytes of " + server.local()));
            return;
        }
        CompletableFuture<Void> ack;
        try {
            ack = receiver.onChunk(chunk);
        } catch (Throwable t) {
            fail(Failures.fromHandler(method, t));
            return;
        }
        if (ack == null) {
            ack = DONE;
        }
        ack.whenComplete((v, err) -> {
            if (err != null) {
                fail(Failures.fromHandler(method, err));
            } else {
                caller.scheduler().execute(() -> sent.complete(null));
            }
        });
    }

    @Override
    public CompletableFuture<byte[]> finish() {
        CompletableFuture<Void> before;
        synchronized (lock) {
            if (failure != null || finishCalled) {
                return response;
            }
            finishCalled = true;
            before = pendingSend == null ? DONE : pendingSend;
        }
        before.whenComplete((v, err) -> {
            if (err == null) {
                serverSerial.execute(this::deliverComplete);
            }
        });
        return response;
    }

    private void deliverComplete() {
        if (failed() || receiver == null || receiverClosed) {
            return;
        }
        receiverClosed = true;
        CompletableFuture<byte[]> f;
        try {
            f = receiver.onComplete();
        } catch (Throwable t) {
            fail(Failures.fromHandler(method, t));
            return;
        }
        if (f == null) {
            fail(new TransportException(Code.HANDLER_ERROR, "receiver of '" + method + "' returned no future"));
            return;
        }
        f.whenComplete((resp, err) -> {
            if (err != null) {
                fail(Failures.fromHandler(method, err));
            } else if (resp == null) {
                fail(new TransportException(Code.HANDLER_ERROR, "receiver of '" + method
                        + "' completed with no response"));
            } else if (resp.length > server.maxMessageBytes()) {
                fail(new TransportException(Code.TOO_LARGE, "response of " + resp.length
                        + " bytes exceeds the limit of " + server.maxMessageBytes() + " bytes of " + server.local()));
            } else {
                byte[] copy = resp.clone();
                caller.scheduler().execute(() -> {
                    if (copy.length > caller.maxMessageBytes()) {
                        fail(new TransportException(Code.TOO_LARGE, "response of " + copy.length
                                + " bytes exceeds the caller's limit of " + caller.maxMessageBytes() + " bytes"));
                    } else if (response.complete(copy)) {
                        cleanup();
                    }
                });
            }
        });
    }

    @Override
    public void cancel(String reason) {
        fail(new TransportException(Code.CANCELLED, "stream '" + method + "' cancelled by the caller: " + reason));
    }

    @Override
    public void fail(TransportException cause) {
        CompletableFuture<Void> send;
        synchronized (lock) {
            if (failure != null || response.isDone()) {
                return;
            }
            failure = cause;
            send = pendingSend;
        }
        cleanup();
        if (send != null) {
            send.completeExceptionally(cause);
        }
        response.completeExceptionally(cause);
        serverSerial.execute(() -> {
            if (receiver != null && !receiverClosed) {
                receiverClosed = true;
                try {
                    receiver.onError(cause);
                } catch (RuntimeException ignored) {
                    // The receiver's own failure while releasing resources changes nothing for the caller.
                }
            }
        });
    }

    private boolean failed() {
        synchronized (lock) {
            return failure != null;
        }
    }

    private void cleanup() {
        Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
        caller.untrack(this);
        if (server != null) {
            server.untrack(this);
        }
    }
}
