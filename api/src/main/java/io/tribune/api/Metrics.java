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

    /** A value sampled when metrics are read; {@code supplier} must be cheap and thread-safe. */
    void gauge(String name, LongSupplier supplier);

    /** A distribution of values, e.g. latencies in microseconds (put the unit in the name). */
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
