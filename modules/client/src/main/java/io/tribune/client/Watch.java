package io.tribune.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A watch read as a stream: {@link #poll(Duration)}, {@link #take()} or the {@link Iterator}
 * methods return the watched data's successive values; {@link #close()} cancels the stream.
 *
 * <p>The watch asks the server for one message at a time, when the previous one is taken, so an
 * unread watch holds at most one message here and the server coalesces changes into its newest
 * value (every message is the complete current value, see {@code tribune.v1}), never an
 * unbounded backlog.
 *
 * <p>Not for concurrent readers; {@link #close()} may be called from any thread.
 *
 * @param <T> the message type
 */
public final class Watch<T> implements Iterator<T>, AutoCloseable {
    private static final Object COMPLETED = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile ClientCallStreamObserver<?> call;
    private Object peeked;
    private volatile boolean closed;

    Watch() {
    }

    /** The observer to pass to the async stub's streaming call. */
    <R> ClientResponseObserver<R, T> observer() {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<R> c) {
                call = c;
                c.disableAutoRequestWithInitial(1);
            }

            @Override
            public void onNext(T value) {
                queue.add(value);
            }

            @Override
            public void onError(Throwable t) {
                queue.add(new Failure(TribuneException.of(t)));
            }

            @Override
            public void onCompleted() {
                queue.add(COMPLETED);
            }
        };
    }

    private record Failure(TribuneException error) {
    }

    /**
     * The next value, waiting at most {@code timeout}; empty when none arrived in time.
     *
     * @throws TribuneException      when the stream failed (e.g. UNAVAILABLE when the server
     *                               stopped; CANCELLED after {@link #close()})
     * @throws NoSuchElementException when the server ended the stream
     */
    public Optional<T> poll(Duration timeout) throws InterruptedException {
        Object o = peeked != null ? peeked : queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        peeked = null;
        return Optional.ofNullable(o == null ? null : deliver(o));
    }

    /** The next value, waiting as long as it takes; see {@link #poll(Duration)} for failures. */
    public T take() throws InterruptedException {
        Object o = peeked != null ? peeked : queue.take();
        peeked = null;
        return deliver(o);
    }

    @SuppressWarnings("unchecked")
    private T deliver(Object o) {
        if (o == COMPLETED) {
            peeked = o;
            throw new NoSuchElementException("the watch ended");
        }
        if (o instanceof Failure f) {
            peeked = o;
            throw f.error();
        }
        ClientCallStreamObserver<?> c = call;
        if (c != null && !closed) {
            c.request(1);
        }
        return (T) o;
    }

    /** Blocks until a value or the end is there; false when the stream ended normally. */
    @Override
    public boolean hasNext() {
        if (peeked == null) {
            try {
                peeked = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a watch message", e);
            }
        }
        if (peeked instanceof Failure f) {
            throw f.error();
        }
        return peeked != COMPLETED;
    }

    /** The next value; blocks like {@link #hasNext()}. */
    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the watch ended");
        }
        try {
            return take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Cancels the stream; the server closes its subscription. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<?> c = call;
        if (c != null) {
            c.cancel("watch closed by the client", null);
        }
    }
}
