package io.tribune.api;

import java.util.function.LongSupplier;

/**
 * Where plugins report counters, gauges and histograms. Names are dotted and lower-case and are
 * prefixed by the host with the plugin's name ({@code raft.commits}).
 *
 * <p>Thread-safe. Asking twice for the same name returns an instrument that adds to the same
 * series.
 */
public interface Metrics {

    /** A monotonically increasing count. */
    Counter counter(String name);

    /**
     * A monotonically increasing count kept elsewhere (a protocol core's own counter), read from
     * {@code total} when metrics are read; {@code total} must be cheap, thread-safe and never
     * decrease. Registering the same name again keeps the first supplier.
     *
     * <p>Added after SPI 1.3 as a default method: a host that does not know it reports the total as a
     * gauge, so a plugin may call it against any 1.x host.
     */
    default void counter(String name, LongSupplier total) {
        gauge(name, total);
    }

    /** A value sampled when metrics are read; {@code supplier} must be cheap and thread-safe. */
    void gauge(String name, LongSupplier supplier);

    /**
     * A distribution of values. Put the unit in the name: a name ending in {@code -ns}, {@code -us} or
     * {@code -ms} is a duration in nano-, micro- or milliseconds, which the agent reports as a timer
     * in milliseconds (Consul's unit), e.g. {@code commit-time-us}.
     */
    Histogram histogram(String name);

    /** A counter. */
    interface Counter {
        /** Adds {@code delta} (non-negative). */
        void add(long delta);

        /** Adds one. */
        default void increment() {
            add(1);
        }
    }

    /** A histogram. */
    interface Histogram {
        /** Records one observation. */
        void record(long value);
    }

    /** Metrics that discard everything. */
    static Metrics noop() {
        return new Metrics() {
            @Override
            public Counter counter(String name) {
                return delta -> { };
            }

            @Override
            public void gauge(String name, LongSupplier supplier) {
            }

            @Override
            public Histogram histogram(String name) {
                return value -> { };
            }
        };
    }
}
