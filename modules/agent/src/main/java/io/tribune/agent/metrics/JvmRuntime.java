package io.tribune.agent.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * Consul's {@code runtime.*} figures mapped to the JVM: {@code alloc_bytes} is the heap in use,
 * {@code sys_bytes} the memory committed (heap and non-heap), {@code num_goroutines} the live
 * threads, {@code total_gc_pause_ns} and {@code total_gc_runs} the collectors' accumulated time
 * (in nanoseconds, from milliseconds) and collections, and the sample {@code gc_pause_ns} the mean
 * pause of the collections of each interval. Go's {@code heap_objects} has no cheap JVM counterpart
 * (it would need a heap walk) and is left out.
 *
 * <p>Reads the platform MXBeans, which are thread-safe; {@link #sampleGcPause} is called by one
 * thread at a time (the registry's interval roll).
 */
public final class JvmRuntime {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final io.tribune.api.Metrics.Histogram pauses;
    private long lastRuns = -1;
    private long lastPauseNanos;

    /**
     * Registers the gauges in {@code r} under {@code gaugePrefix} ({@code consul.<node>.runtime}) and the
     * sample under {@code samplePrefix} ({@code consul.runtime}).
     */
    public JvmRuntime(TelemetryRegistry r, String gaugePrefix, String samplePrefix) {
        r.gauge(gaugePrefix + ".alloc_bytes", () -> memory.getHeapMemoryUsage().getUsed());
        r.gauge(gaugePrefix + ".sys_bytes", () -> memory.getHeapMemoryUsage().getCommitted()
                + memory.getNonHeapMemoryUsage().getCommitted());
        r.gauge(gaugePrefix + ".num_goroutines", threads::getThreadCount);
        r.gauge(gaugePrefix + ".total_gc_pause_ns", this::totalPauseNanos);
        r.gauge(gaugePrefix + ".total_gc_runs", this::totalRuns);
        pauses = r.sample(samplePrefix + ".gc_pause_ns");
    }

    /** Records the mean pause of the collections since the last call, if any ran. */
    public void sampleGcPause() {
        long runs = totalRuns();
        long pause = totalPauseNanos();
        if (lastRuns >= 0 && runs > lastRuns) {
            pauses.record((pause - lastPauseNanos) / (runs - lastRuns));
        }
        lastRuns = runs;
        lastPauseNanos = pause;
    }

    private long totalRuns() {
        long n = 0;
        for (GarbageCollectorMXBean c : collectors) {
            n += Math.max(0, c.getCollectionCount());
        }
        return n;
    }

    private long totalPauseNanos() {
        long ms = 0;
        for (GarbageCollectorMXBean c : collectors) {
            ms += Math.max(0, c.getCollectionTime());
        }
        return ms * 1_000_000;
    }
}
