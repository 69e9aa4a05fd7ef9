package io.tribune.testkit;

import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A transport that hands every call to another one: the base of a test double that changes one
 * thing about a real transport (delays it, loses some requests, counts what it sends) and leaves
 * the rest as it is. Override what the double changes.
 */
public abstract class ForwardingTransport implements Transport {
    /** The transport every method hands over to. */
    protected final Transport delegate;

    protected ForwardingTransport(Transport delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void start() {
        delegate.start();
    }

    @Override
    public Endpoint localEndpoint() {
        return delegate.localEndpoint();
    }

    @Override
    public void register(String method, RequestHandler handler) {
        delegate.register(method, handler);
    }

    @Override
    public void registerStream(String method, StreamHandler handler) {
        delegate.registerStream(method, handler);
    }

    @Override
    public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
        return delegate.call(target, method, request, timeout);
    }

    @Override
    public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
        return delegate.openStream(target, method, timeout);
    }

    @Override
    public int maxMessageBytes() {
        return delegate.maxMessageBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
