package io.tribune.api;

/** A registration of a listener; closing it stops further deliveries. */
public interface Subscription extends AutoCloseable {
    /** Idempotent; after it returns no new delivery starts (one in progress may finish). */
    @Override
    void close();
}
