package io.tribune.api;

/**
 * The platform's time source. Plugins read time only through this interface so that the
 * simulator can run them on virtual time.
 *
 * <p>Thread-safe; both methods are cheap and never block.
 */
public interface Clock {

    /** Monotonic nanoseconds from an arbitrary origin; never decreases. For timeouts and intervals. */
    long nanos();

    /** Milliseconds since the Unix epoch; may jump. For display and for data that leaves the node. */
    long wallMillis();

    /** Monotonic milliseconds, {@code nanos() / 1_000_000}. */
    default long millis() {
        return nanos() / 1_000_000L;
    }
}
