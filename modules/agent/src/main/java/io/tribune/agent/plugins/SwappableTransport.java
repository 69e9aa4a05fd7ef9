package io.tribune.agent.plugins;

import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The transport the agent hands to its parts (consensus, the RPC server, the request layer): a
 * stable object in front of the plugin's instance, so that a live update can replace the instance
 * without re-wiring anything that holds the transport.
 *
 * <p>It remembers every handler registered through it and registers them again, in the same order,
 * on a replacement before that replacement starts, so that a restarted port never answers
 * {@code NO_HANDLER} for a method the agent serves.
 *
 * <p>Threading: every method is thread-safe. {@link #replace} is serialized with registrations;
 * calls are not blocked by it: a call made while no instance runs fails at once with
 * {@link TransportException.Code#UNAVAILABLE} and {@code notDelivered} (nothing reached any
 * handler), and calls in flight on the old instance fail as its {@link Transport#close()} says
 * ({@code CANCELLED}); their callers (Raft's replication and elections, the request layer's
 * retries) treat both as a lost message and try again.
 */
public final class SwappableTransport implements Transport {
    private final Map<String, RequestHandler> handlers = new LinkedHashMap<>();
    private final Map<String, StreamHandler> streamHandlers = new LinkedHashMap<>();
    private volatile Transport current;
    private volatile Endpoint lastEndpoint;
    private volatile int lastMaxMessageBytes = -1;
    private volatile boolean closed;

    /** Fronts {@code first}, which is not started yet. */
    public SwappableTransport(Transport first) {
        this.current = Objects.requireNonNull(first, "first");
    }

    /** The running instance, or {@code null} while a replacement is under way. */
    public Transport current() {
        return current;
    }

    private Transport running() {
        Transport t = current;
        if (t == null || closed) {
            throw new TransportException(TransportException.Code.UNAVAILABLE,
                    closed ? "transport closed" : "transport plugin is being replaced", null, true);
        }
        return t;
    }

    @Override
    public void start() {
        Transport t = running();
        t.start();
        lastEndpoint = t.localEndpoint();
    }

    /** The running instance's endpoint; during a replacement, the one it had (the same port returns). */
    @Override
    public Endpoint localEndpoint() {
        Transport t = current;
        Endpoint last = lastEndpoint;
        return t == null && last != null ? last : running().localEndpoint();
    }

    @Override
    public synchronized void register(String method, RequestHandler handler) {
        running().register(method, handler);
        handlers.put(method, handler);
    }

    @Override
    public synchronized void registerStream(String method, StreamHandler handler) {
        running().registerStream(method, handler);
        streamHandlers.put(method, handler);
    }

    @Override
    public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
        Transport t;
        try {
            t = running();
        } catch (TransportException e) {
            return CompletableFuture.failedFuture(e);
        }
        return t.call(target, method, request, timeout);
    }

    @Override
    public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
        return running().openStream(target, method, timeout);
    }

    /** The running instance's limit; during a replacement, the one it had (the same settings return). */
    @Override
    public int maxMessageBytes() {
        Transport t = current;
        int last = lastMaxMessageBytes;
        if (t == null && last > 0 && !closed) {
            return last;
        }
        int max = running().maxMessageBytes();
        lastMaxMessageBytes = max;
        return max;
    }

    /**
     * Replaces the running instance: closes it (its threads stop before this returns, as
     * {@link Transport#close()} promises), runs {@code between} (where the runtime swaps the plugin's
     * code), creates the replacement with {@code next} from the old instance's local endpoint (so a
     * port that was chosen by the system stays the same), registers every handler on it and starts it.
     *
     * <p>When {@code between} or {@code next} fails, the replacement is not installed and the
     * exception propagates; the caller may call {@code replace} again with a factory that still works
     * (the old revision) to recover.
     *
     * @throws IllegalStateException when this transport was closed
     */
    public synchronized void replace(Runnable between, Function<Endpoint, Transport> next) {
        if (closed) {
            throw new IllegalStateException("transport closed");
        }
        Transport old = current;
        Endpoint where = old != null ? old.localEndpoint() : lastEndpoint;
        if (old != null) {
            lastMaxMessageBytes = old.maxMessageBytes();
        }
        current = null;
        if (old != null) {
            old.close();
        }
        between.run();
        Transport t = Objects.requireNonNull(next.apply(where), "the factory returned no transport");
        try {
            handlers.forEach(t::register);
            streamHandlers.forEach(t::registerStream);
            t.start();
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        lastEndpoint = t.localEndpoint();
        current = t;
    }

    @Override
    public synchronized void close() {
        closed = true;
        Transport t = current;
        current = null;
        if (t != null) {
            t.close();
        }
    }
}
