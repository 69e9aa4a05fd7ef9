package io.tribune.agent.metrics;

import com.google.gson.GsonBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The agent's one metrics registry: a Micrometer {@link PrometheusMeterRegistry} for the Prometheus
 * text format, and beside every counter and sample an {@link IntervalStats} for Consul's JSON shape
 * (the in-memory sink's 10 s intervals). Names arrive complete and dotted
 * ({@code consul.raft.commitTime}); the caller maps and prefixes them ({@code AgentMetrics}).
 *
 * <p>Timers are kept in milliseconds, as Consul reports them, and exported as Prometheus summaries
 * with the 0.5, 0.9 and 0.99 quantiles (Consul's objectives). The Prometheus names are the dotted
 * names with {@code .} (and any other character Prometheus forbids) as {@code _}; the library adds
 * {@code _total} to counters and {@code _count}, {@code _sum} and a {@code _max} gauge to summaries.
 *
 * <p>Thread-safe. Recording is lock-free (Micrometer's adders and HdrHistogram recorders, and the
 * interval's adders) and allocates nothing. Registering takes this registry's lock and calls no
 * supplier; {@link #roll()} and {@link #json()} take the interval lock, {@link #prometheus()} the
 * scrape lock, and those call the gauge and total suppliers. A plugin may therefore register (or
 * record) while holding its own lock even though its suppliers take that lock: no thread holds a
 * registry lock while waiting for a lock a registering thread may hold. At most {@link #MAX_METRICS} names are kept: a
 * further one is refused with a warning and its instrument discards what it is given, so a plugin
 * that makes names from data cannot exhaust the heap.
 */
public final class TelemetryRegistry {
    /** Consul's in-memory interval. */
    public static final long INTERVAL_MILLIS = 10_000;
    /** The most metric names kept. */
    public static final int MAX_METRICS = 4096;
    /** The Prometheus text format Consul serves. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final System.Logger LOG = System.getLogger(TelemetryRegistry.class.getName());
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** What a metric is, in Consul's JSON sections. */
    enum Kind { COUNTER, GAUGE, SAMPLE }

    /** One metric. */
    private static final class Entry {
        final String name;
        final Kind kind;
        final IntervalStats stats;
        final LongSupplier total;
        final Set<String> prometheusNames;
        volatile DoubleSupplier gauge;
        Meter meter;
        Metrics.Counter counter;
        Metrics.Histogram histogram;
        // Guarded by the scrape lock: the Prometheus retention's view of the metric.
        double lastProbe = Double.NaN;
        long lastChangeNanos;
        // Guarded by the interval lock: the total at the last roll (counters read from a total).
        long lastTotal;

        Entry(String name, Kind kind, LongSupplier total, long now) {
            this.name = name;
            this.kind = kind;
            this.total = total;
            this.stats = kind == Kind.GAUGE ? null : new IntervalStats();
            String p = ConsulNames.prometheus(name);
            this.prometheusNames = kind == Kind.SAMPLE ? Set.of(p, p + "_max") : Set.of(p);
            this.lastChangeNanos = now;
        }

        /** What changes when the metric is updated: its count (or value, for a gauge). */
        double probe() {
            if (meter instanceof Counter c) {
                return c.count();
            }
            if (meter instanceof Timer t) {
                return t.count();
            }
            if (meter instanceof DistributionSummary s) {
                return s.count();
            }
            if (total != null) {
                return total.getAsLong();
            }
            return 0;
        }
    }

    private final Clock clock;
    private final TelemetrySettings settings;
    private final PrometheusMeterRegistry prometheus;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Object intervalLock = new Object();
    private final Object scrapeLock = new Object();
    // Guarded by intervalLock: the current interval's start, the finished one's, whether one finished.
    private long intervalStartMillis;
    private long finishedStartMillis;
    private boolean rolled;

    /**
     * A registry on {@code clock} (Micrometer's quantile windows and the interval timestamps read it,
     * so a virtual clock governs them in tests).
     */
    public TelemetryRegistry(Clock clock, TelemetrySettings settings) {
        this.clock = clock;
        this.settings = settings;
        io.micrometer.core.instrument.Clock mc = new io.micrometer.core.instrument.Clock() {
            @Override
            public long wallTime() {
                return clock.wallMillis();
            }

            @Override
            public long monotonicTime() {
                return clock.nanos();
            }
        };
        this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), mc) {
            // Consul's timers are in milliseconds; Micrometer's Prometheus default is seconds.
            @Override
            protected TimeUnit getBaseTimeUnit() {
                return TimeUnit.MILLISECONDS;
            }
        };
        // Consul's names as they are, dots as underscores: no unit suffix, no case change.
        prometheus.config().namingConvention(new NamingConvention() {
            @Override
            public String name(String name, Meter.Type type, String baseUnit) {
                return ConsulNames.prometheus(name);
            }

            @Override
            public String tagKey(String key) {
                return ConsulNames.prometheus(key);
            }
        });
        this.intervalStartMillis = truncate(clock.wallMillis());
    }

    /** The settings in force. */
    public TelemetrySettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------ registration

    /** A counter named {@code name}; the same instrument for the same name. */
    public synchronized Metrics.Counter counter(String name) {
        Entry e = entry(name, Kind.COUNTER, null);
        if (e == null) {
            return delta -> { };
        }
        if (e.counter == null) {
            Counter c = Counter.builder(name).description(name).register(prometheus);
            e.meter = c;
            IntervalStats stats = e.stats;
            e.counter = delta -> {
                if (delta > 0) {
                    c.increment(delta);
                    stats.record(delta);
                }
            };
        }
        return e.counter;
    }

    /**
     * A counter whose total {@code total} reports when metrics are read (a count kept elsewhere); in
     * the JSON intervals each interval's increase counts as one update.
     */
    public synchronized void counter(String name, LongSupplier total) {
        Entry e = entry(name, Kind.COUNTER, new CarriedTotal(safe(total)));
        if (e != null && e.meter != null) {
            // Registered again: a plugin replaced live reports through its new instance. The new
            // count goes on from the old one's (the metric never falls), and the old supplier (and
            // the old revision's class loader behind it) is let go.
            ((CarriedTotal) e.total).replace(safe(total));
            return;
        }
        if (e != null) {
            LongSupplier t = e.total;
            e.meter = FunctionCounter.builder(name, t, x -> x.getAsLong()).description(name).register(prometheus);
            // lastTotal stays 0: a plugin's count starts with it, and calling the supplier here could
            // wait for a lock its caller holds.
        }
    }

    /** A gauge sampled from {@code value} when read; registering the name again replaces the supplier. */
    public synchronized void gauge(String name, DoubleSupplier value) {
        Entry e = entry(name, Kind.GAUGE, null);
        if (e == null) {
            return;
        }
        e.gauge = value;
        if (e.meter == null) {
            e.meter = Gauge.builder(name, e, TelemetryRegistry::sample).description(name).register(prometheus);
        }
    }

    /** A timer: values in {@code unit}, kept and reported in milliseconds. */
    public synchronized Metrics.Histogram timer(String name, TimeUnit unit) {
        Entry e = entry(name, Kind.SAMPLE, null);
        if (e == null) {
            return value -> { };
        }
        if (e.histogram == null) {
            Timer t = Timer.builder(name).description(name).publishPercentiles(0.5, 0.9, 0.99).register(prometheus);
            e.meter = t;
            IntervalStats stats = e.stats;
            long nanosPerUnit = unit.toNanos(1);
            e.histogram = value -> {
                t.record(value, unit);
                stats.record(value * (nanosPerUnit / 1e6));
            };
        }
        return e.histogram;
    }

    /** A distribution of plain values (no unit). */
    public synchronized Metrics.Histogram sample(String name) {
        Entry e = entry(name, Kind.SAMPLE, null);
        if (e == null) {
            return value -> { };
        }
        if (e.histogram == null) {
            DistributionSummary s = DistributionSummary.builder(name).description(name)
                    .publishPercentiles(0.5, 0.9, 0.99).register(prometheus);
            e.meter = s;
            IntervalStats stats = e.stats;
            e.histogram = value -> {
                s.record(value);
                stats.record(value);
            };
        }
        return e.histogram;
    }

    /** The entry for {@code name} of {@code kind}, made if new; null (with a warning) when it cannot be. */
    private Entry entry(String name, Kind kind, LongSupplier total) {
        Entry e = entries.get(name);
        if (e != null) {
            if (e.kind != kind || (kind == Kind.COUNTER && (e.total == null) != (total == null))) {
                LOG.log(System.Logger.Level.WARNING, "metric {0} is already registered as another kind; "
                        + "the new registration records nothing", name);
                return null;
            }
            return e;
        }
        if (entries.size() >= MAX_METRICS) {
            LOG.log(System.Logger.Level.WARNING, "more than {0} metric names: {1} records nothing", MAX_METRICS, name);
            return null;
        }
        String p = ConsulNames.prometheus(name);
        for (Entry other : entries.values()) {
            if (other.prometheusNames.contains(p)) {
                LOG.log(System.Logger.Level.WARNING, "metric {0} has the Prometheus name of {1}; it records nothing",
                        name, other.name);
                return null;
            }
        }
        e = new Entry(name, kind, total, clock.nanos());
        entries.put(name, e);
        return e;
    }

    /**
     * The total of a counter read from a count kept elsewhere, across the instances that kept it:
     * after {@link #replace} it is what the previous sources had shown when last read plus what the
     * new source counts. Lock-free, so reading never waits for a registration (whose caller may hold
     * the lock the source needs) nor the other way round.
     */
    private static final class CarriedTotal implements LongSupplier {
        private record State(LongSupplier source, long carried, java.util.concurrent.atomic.AtomicLong lastSeen) {
        }

        private final java.util.concurrent.atomic.AtomicReference<State> state;

        CarriedTotal(LongSupplier first) {
            state = new java.util.concurrent.atomic.AtomicReference<>(
                    new State(first, 0, new java.util.concurrent.atomic.AtomicLong()));
        }

        @Override
        public long getAsLong() {
            State st = state.get();
            long v = st.source().getAsLong();
            st.lastSeen().accumulateAndGet(v, Math::max);
            return st.carried() + v;
        }

        void replace(LongSupplier next) {
            State old = state.get();
            state.set(new State(next, old.carried() + old.lastSeen().get(), new java.util.concurrent.atomic.AtomicLong()));
        }
    }

    private static LongSupplier safe(LongSupplier s) {
        return () -> {
            try {
                return s.getAsLong();
            } catch (RuntimeException ex) {
                return 0;
            }
        };
    }

    /** A gauge's value; NaN when its supplier fails (the exposition shows NaN, the JSON leaves it out). */
    private static double sample(Entry e) {
        try {
            return e.gauge.getAsDouble();
        } catch (RuntimeException ex) {
            return Double.NaN;
        }
    }

    // ------------------------------------------------------------------ intervals

    /**
     * Ends the current interval (the agent calls it every {@link #INTERVAL_MILLIS}): the JSON shows
     * the interval that ended, as Consul's in-memory sink shows its last finished interval.
     */
    public void roll() {
        synchronized (intervalLock) {
            rollLocked();
        }
    }

    private void rollLocked() {
        for (Entry e : entries.values()) {
            if (e.stats == null) {
                continue;
            }
            if (e.total != null) {
                long t = e.total.getAsLong();
                long delta = t - e.lastTotal;
                e.lastTotal = t;
                e.stats.recordBulk(delta, delta);
            }
            e.stats.roll();
        }
        finishedStartMillis = intervalStartMillis;
        intervalStartMillis = truncate(clock.wallMillis());
        rolled = true;
    }

    private static long truncate(long millis) {
        return millis - Math.floorMod(millis, INTERVAL_MILLIS);
    }

    // ------------------------------------------------------------------ output

    /**
     * Consul's {@code /v1/agent/metrics} JSON: {@code Timestamp} (the interval's start, in Go's
     * format), {@code Gauges} ({@code Name}, {@code Value}, {@code Labels}), {@code Points} (none),
     * {@code Counters} and {@code Samples} ({@code Name}, {@code Count}, {@code Rate} (sum per
     * second), {@code Sum}, {@code Min}, {@code Max}, {@code Mean}, {@code Stddev}, {@code Labels}) of
     * the metrics updated in the last finished interval (the current one before the first has
     * ended), sorted by name.
     */
    public String json() {
        synchronized (intervalLock) {
            return jsonLocked();
        }
    }

    private String jsonLocked() {
        long start = rolled ? finishedStartMillis : intervalStartMillis;
        double seconds = INTERVAL_MILLIS / 1000.0;
        List<Object> gauges = new ArrayList<>();
        List<Object> counters = new ArrayList<>();
        List<Object> samples = new ArrayList<>();
        for (Entry e : new TreeMap<>(entries).values()) {
            if (e.kind == Kind.GAUGE) {
                double v = sample(e);
                if (Double.isFinite(v)) {
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("Name", e.name);
                    g.put("Value", v);
                    g.put("Labels", Map.of());
                    gauges.add(g);
                }
                continue;
            }
            IntervalStats.Summary s = rolled ? e.stats.finished() : e.stats.current();
            if (s == null || s.count() == 0) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Name", e.name);
            m.put("Count", s.count());
            m.put("Rate", s.rate(seconds));
            m.put("Sum", s.sum());
            m.put("Min", s.min());
            m.put("Max", s.max());
            m.put("Mean", s.mean());
            m.put("Stddev", s.stddev());
            m.put("Labels", Map.of());
            (e.kind == Kind.COUNTER ? counters : samples).add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Timestamp", GO_TIME.format(Instant.ofEpochMilli(start)));
        out.put("Gauges", gauges);
        out.put("Points", List.of());
        out.put("Counters", counters);
        out.put("Samples", samples);
        return new GsonBuilder().disableHtmlEscaping().create().toJson(out);
    }

    /**
     * The Prometheus text format (version 0.0.4) as the library writes it, without the counters and
     * samples not updated within {@code prometheus_retention_time}; gauges are read at every scrape
     * and always shown. Empty when the retention is zero (the Prometheus output is off).
     */
    public Optional<String> prometheus() {
        if (!settings.prometheusEnabled()) {
            return Optional.empty();
        }
        synchronized (scrapeLock) {
            return Optional.of(scrapeLocked());
        }
    }

    private String scrapeLocked() {
        long now = clock.nanos();
        long retention = settings.prometheusRetention().toNanos();
        Set<String> included = new TreeSet<>();
        for (Entry e : entries.values()) {
            if (e.kind != Kind.GAUGE) {
                double p = e.probe();
                if (p != e.lastProbe) {
                    // First seen now, or updated since the last scrape: visible for another retention.
                    if (!Double.isNaN(e.lastProbe) || p != 0) {
                        e.lastChangeNanos = now;
                    }
                    e.lastProbe = p;
                }
                if (now - e.lastChangeNanos > retention) {
                    continue;
                }
            }
            included.addAll(e.prometheusNames);
        }
        return prometheus.scrape(PROMETHEUS_CONTENT_TYPE, included);
    }

    /** Names of every metric, sorted (for tests and {@code docs/metrics.md}). */
    public List<String> names() {
        return List.copyOf(new TreeSet<>(entries.keySet()));
    }
}
