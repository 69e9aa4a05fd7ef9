package io.tribune.client;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/** A running listener watch; {@link #close()} cancels it. */
public final class WatchHandle implements AutoCloseable {
    private volatile ClientCallStreamObserver<?> call;
    private volatile boolean closed;

    WatchHandle() {
    }

    <R, T> ClientResponseObserver<R, T> observer(WatchListener<T> listener) {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<R> c) {
                call = c;
                if (closed) {
                    c.cancel("watch closed by the client", null);
                }
            }

            @Override
            public void onNext(T value) {
                listener.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                listener.onError(TribuneException.of(t));
            }

            @Override
            public void onCompleted() {
                listener.onCompleted();
            }
        };
    }

    /** Cancels the stream. Idempotent. */
    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<?> c = call;
        if (c != null) {
            c.cancel("watch closed by the client", null);
        }
    }
}
