package io.tribune.agent.platform;

import io.tribune.api.Metrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The host's metrics registry: counters, gauges and histograms (count, sum, min, max) kept in
 * memory and read by {@code /v1/agent/metrics}. {@link #scoped(String)} gives a plugin a view that
 * prefixes its names.
 */
public final class AgentMetrics implements Metrics {
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, Hist> histograms = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name) {
        LongAdder a = counters.computeIfAbsent(name, k -> new LongAdder());
        return a::add;
    }

    @Override
    public void gauge(String name, LongSupplier supplier) {
        gauges.put(name, supplier);
    }

    @Override
    public Histogram histogram(String name) {
        return histograms.computeIfAbsent(name, k -> new Hist());
    }

    /** A view that prefixes every name with {@code prefix + "."}. */
    public Metrics scoped(String prefix) {
        AgentMetrics root = this;
        return new Metrics() {
            @Override
            public Counter counter(String name) {
                return root.counter(prefix + "." + name);
            }

            @Override
            public void gauge(String name, LongSupplier supplier) {
                root.gauge(prefix + "." + name, supplier);
            }

            @Override
            public Histogram histogram(String name) {
                return root.histogram(prefix + "." + name);
            }
        };
    }

    /** Counter values by name, sorted. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Gauge values by name, sorted; a gauge that throws reports -1. */
    public Map<String, Long> gauges() {
        Map<String, Long> out = new TreeMap<>();
        gauges.forEach((k, v) -> {
            long value;
            try {
                value = v.getAsLong();
            } catch (RuntimeException e) {
                value = -1;
            }
            out.put(k, value);
        });
        return out;
    }

    /** Histogram summaries by name: count, sum, min, max, mean. */
    public Map<String, Map<String, Number>> histograms() {
        Map<String, Map<String, Number>> out = new TreeMap<>();
        histograms.forEach((k, h) -> out.put(k, h.summary()));
        return out;
    }

    private static final class Hist implements Histogram {
        private long count;
        private long sum;
        private long min = Long.MAX_VALUE;
        private long max = Long.MIN_VALUE;

        @Override
        public synchronized void record(long value) {
            count++;
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }

        synchronized Map<String, Number> summary() {
            Map<String, Number> m = new TreeMap<>();
            m.put("Count", count);
            m.put("Sum", sum);
            m.put("Min", count == 0 ? 0 : min);
            m.put("Max", count == 0 ? 0 : max);
            m.put("Mean", count == 0 ? 0.0 : (double) sum / count);
            return m;
        }
    }
}
