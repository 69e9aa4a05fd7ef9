package io.tribune.client;

/**
 * Receives a watch's values on a gRPC callback thread. Calls never overlap; the next value is
 * requested from the server only when {@link #onNext} returns, so a slow listener slows the
 * stream (the server coalesces to the newest value) instead of queueing without bound.
 *
 * @param <T> the message type
 */
@FunctionalInterface
public interface WatchListener<T> {
    /** The watched data's current value. */
    void onNext(T value);

    /** The stream failed (CANCELLED after the handle was closed); no call follows. */
    default void onError(TribuneException error) {
    }

    /** The server ended the stream; no call follows. */
    default void onCompleted() {
    }
}
