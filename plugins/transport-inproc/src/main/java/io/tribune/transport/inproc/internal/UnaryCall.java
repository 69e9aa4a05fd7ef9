package io.tribune.transport.inproc.internal;

import io.tribune.api.Cancellable;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.util.concurrent.CompletableFuture;

/** One unary call, seen from both ends. The first completion wins; later ones are ignored. */
final class UnaryCall implements InFlight {
    final InProcTransport caller;
    final Endpoint target;
    final String method;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /** Set once by the caller right after creation, before any completion can race with it. */
    volatile Cancellable timer;
    /** The serving transport, once the request reached one. */
    volatile InProcTransport server;

    UnaryCall(InProcTransport caller, Endpoint target, String method) {
        this.caller = caller;
        this.target = target;
        this.method = method;
    }

    /** Completes with a response or failure from the server, on the caller's scheduler. */
    void reply(byte[] response, TransportException failure) {
        caller.scheduler().execute(() -> {
            if (failure != null) {
                fail(failure);
            } else if (response.length > caller.maxMessageBytes()) {
                fail(new TransportException(Code.TOO_LARGE, "response of " + response.length
                        + " bytes for '" + method + "' exceeds the caller's limit of " + caller.maxMessageBytes()
                        + " bytes"));
            } else if (result.complete(response)) {
                cleanup();
            }
        });
    }

    @Override
    public void fail(TransportException cause) {
        if (result.completeExceptionally(cause)) {
            cleanup();
        }
    }

    private void cleanup() {
        Cancellable t = timer;
        if (t != null) {
            t.cancel();
        }
        caller.untrack(this);
        InProcTransport s = server;
        if (s != null) {
            s.untrack(this);
        }
    }
}
