package io.tribune.api.transport;

import java.util.concurrent.CompletableFuture;

/**
 * A client-streaming call in progress, from the caller's side. Single-threaded: the caller must not
 * call {@link #send} again before the previous send's future completes.
 */
public interface OutboundStream {

    /**
     * Sends one chunk. The future completes when the transport can take the next one (flow control),
     * or fails when the stream failed.
     */
    CompletableFuture<Void> send(byte[] chunk);

    /** Ends the stream; the future carries the handler's response or the failure. */
    CompletableFuture<byte[]> finish();

    /** Aborts the stream; the receiver sees {@code onError}. Idempotent. */
    void cancel(String reason);
}
