package io.tribune.api.transport;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One node's RPC endpoint: it serves registered handlers on {@link #localEndpoint()} and calls
 * other nodes. A call-only transport ({@link TransportSetup#callOnly()}) only calls: it never
 * listens and refuses handlers; the methods below say where it differs.
 *
 * <p><b>Lifecycle.</b> Register handlers, then {@link #start()}; handlers may also be registered
 * after start. {@link #close()} stops accepting, fails calls in flight with {@code CANCELLED} and
 * releases threads and sockets before it returns.
 *
 * <p><b>Threading.</b> Thread-safe. Futures complete on transport threads: callers must not block
 * in their callbacks.
 *
 * <p><b>Connections.</b> A transport keeps at most one multiplexed connection per peer, reuses it
 * across calls, reconnects with backoff after failures and may close idle ones; this is invisible
 * to callers except through {@code UNAVAILABLE} failures.
 */
public interface Transport extends AutoCloseable {

    /**
     * Starts listening. Fails with {@link TransportException} (UNAVAILABLE) when the port is taken.
     * A call-only transport opens no socket and binds nothing here, so it cannot fail for a taken
     * port.
     */
    void start();

    /**
     * Where this transport listens; after {@link #start()}, with the actual port if 0 was asked.
     * A call-only transport returns {@link TransportSetup#bind()} as given (port 0 stays 0): it
     * listens nowhere.
     */
    Endpoint localEndpoint();

    /**
     * Serves {@code method}; replaces an earlier handler of the same name.
     *
     * @throws IllegalStateException on a call-only transport, registering nothing: no peer could
     *                               ever reach the handler
     */
    void register(String method, RequestHandler handler);

    /**
     * Serves the client-streaming {@code method}; replaces an earlier handler of the same name.
     *
     * @throws IllegalStateException on a call-only transport, as for {@link #register}
     */
    void registerStream(String method, StreamHandler handler);

    /**
     * Calls {@code method} on {@code target} and completes with its response.
     *
     * @param timeout the deadline for the whole call, also sent to the peer
     */
    CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout);

    /** Opens a client-streaming call to {@code target}. */
    OutboundStream openStream(Endpoint target, String method, Duration timeout);

    /** The largest request or response this transport sends or accepts, in bytes. */
    int maxMessageBytes();

    /** Stops serving and calling; idempotent. */
    @Override
    void close();
}
