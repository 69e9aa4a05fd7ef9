package io.tribune.api.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Serves one client-streaming method: the caller sends a sequence of chunks, then the handler
 * answers once.
 *
 * <p>{@link #open} is called once per stream; the transport then calls
 * {@link Receiver#onChunk} for each chunk in the order sent, never concurrently for one stream,
 * followed by exactly one of {@link Receiver#onComplete} or {@link Receiver#onError}.
 */
@FunctionalInterface
public interface StreamHandler {

    /** Starts receiving one stream. Must not block. */
    Receiver open(CallContext context);

    /** Receives one stream's chunks. */
    interface Receiver {
        /**
         * One chunk, owned by the receiver. Returning a future applies backpressure: the transport
         * requests the next chunk from the sender only after it completes.
         */
        CompletableFuture<Void> onChunk(byte[] chunk);

        /** The sender finished; the returned future carries the single response. */
        CompletableFuture<byte[]> onComplete();

        /** The stream failed or was cancelled by the sender; release resources. */
        void onError(Throwable cause);
    }
}
