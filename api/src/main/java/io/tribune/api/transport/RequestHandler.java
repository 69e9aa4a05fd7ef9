package io.tribune.api.transport;

import java.util.concurrent.CompletableFuture;

/**
 * Serves one unary method.
 *
 * <p>Called on a transport thread; may be called concurrently for different requests. It must not
 * block: long work completes the returned future later, from any thread. A handler that throws,
 * or whose future fails, makes the caller see {@link TransportException.Code#HANDLER_ERROR} with
 * the exception's message (a {@link TransportException} thrown by the handler keeps its code).
 * The request array belongs to the handler; the response array belongs to the transport once the
 * future completes.
 */
@FunctionalInterface
public interface RequestHandler {
    CompletableFuture<byte[]> handle(CallContext context, byte[] request);
}
