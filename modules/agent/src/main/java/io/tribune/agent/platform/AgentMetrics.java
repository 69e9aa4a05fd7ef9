package io.tribune.agent.platform;

import io.tribune.agent.metrics.ConsulNames;
import io.tribune.agent.metrics.TelemetryRegistry;
import io.tribune.agent.metrics.TelemetrySettings;
import io.tribune.agent.rpc.MetricsOps;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginConfig;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The agent's metrics: one registry per agent (Micrometer with its Prometheus registry) that every
 * metric goes into, whether a plugin registers it through the Metrics SPI ({@link #scoped}) or the
 * host records it (RPC, KV, HTTP, gossip events, the JVM's runtime figures).
 *
 * <p><b>Where values are read.</b> {@code GET /v1/agent/metrics} (the request layer's
 * {@link MetricsOps.Read}, which needs {@code agent:read}) answers with {@link #report}: Consul's
 * JSON shape over the in-memory sink's 10 s intervals, or with {@code ?format=prometheus} the
 * Prometheus text format written by the library. Gauge suppliers are called then, on the HTTP
 * request's thread, and must be cheap and thread-safe; nothing is read in between.
 *
 * <p><b>Names.</b> Host names are given below the prefix ({@code telemetry.metrics_prefix},
 * {@code consul}): {@code counter("rpc.request")} is {@code consul.rpc.request}. A plugin's names
 * are scoped by the plugin's name and mapped to Consul's where Consul has one
 * ({@link ConsulNames}); gauges carry the node name after the prefix unless
 * {@code telemetry.disable_hostname}. A histogram whose name ends in {@code -ns}, {@code -us} or
 * {@code -ms} is a timer reported in milliseconds. {@code docs/metrics.md} lists them all.
 *
 * <p>Thread-safe; recording is lock-free and allocates nothing beyond Micrometer's own work.
 */
public final class AgentMetrics implements Metrics {
    private final TelemetryRegistry registry;
    private final String prefix;
    private final String gaugePrefix;

    /**
     * The metrics of node {@code nodeName}, with the {@code telemetry.*} settings of {@code config}
     * on {@code clock}.
     *
     * @throws io.tribune.agent.config.ConfigException when a {@code telemetry.*} setting is invalid
     */
    public AgentMetrics(Clock clock, PluginConfig config, String nodeName) {
        TelemetrySettings s = TelemetrySettings.of(config);
        this.registry = new TelemetryRegistry(clock, s);
        this.prefix = s.prefix();
        this.gaugePrefix = s.disableHostname() ? s.prefix() : s.prefix() + "." + nodeName;
    }

    /**
     * Metrics outside an agent (a front end started without one): defaults, never served, on a
     * clock that stands still (nothing reads its quantile windows or intervals).
     */
    public static AgentMetrics detached() {
        return new AgentMetrics(STILL, PluginConfig.of(java.util.Map.of()), "detached");
    }

    private static final Clock STILL = new Clock() {
        @Override public long nanos() { return 0; }
        @Override public long wallMillis() { return 0; }
    };

    /**
     * Registers the JVM's runtime figures and ends an interval every 10 s on {@code scheduler} until
     * the returned handle is cancelled. Called once, when the agent starts.
     */
    public Cancellable start(Scheduler scheduler) {
        io.tribune.agent.metrics.JvmRuntime runtime = new io.tribune.agent.metrics.JvmRuntime(registry, gaugePrefix + ".runtime",
                prefix + ".runtime");
        Duration every = Duration.ofMillis(TelemetryRegistry.INTERVAL_MILLIS);
        return scheduler.scheduleWithFixedDelay(every, every, () -> {
            runtime.sampleGcPause();
            registry.roll();
        });
    }

    // ------------------------------------------------------------------ the host's own names (below the prefix)

    /** A counter {@code <prefix>.<name>}. */
    @Override
    public Counter counter(String name) {
        return registry.counter(prefix + "." + name);
    }

    /** A counter {@code <prefix>.<name>} whose total {@code total} gives when read. */
    @Override
    public void counter(String name, LongSupplier total) {
        registry.counter(prefix + "." + name, total);
    }

    /** A gauge {@code <prefix>[.<node>].<name>}. */
    @Override
    public void gauge(String name, LongSupplier supplier) {
        registry.gauge(gaugePrefix + "." + name, supplier::getAsLong);
    }

    /** A sample {@code <prefix>.<name>}, or a timer when the name ends in a unit ({@code -us}). */
    @Override
    public Histogram histogram(String name) {
        return histogram(name, java.util.function.UnaryOperator.identity());
    }

    /** A timer {@code <prefix>.<name>} fed with nanoseconds, reported in milliseconds. */
    public Histogram timer(String name) {
        return registry.timer(prefix + "." + name, TimeUnit.NANOSECONDS);
    }

    /**
     * Consul's timer of an HTTP endpoint, {@code <prefix>.http.<METHOD>.<route>} in Consul 1.4's shape
     * ({@code consul.http.GET.v1.kv._} for {@code GET} on the route {@code /v1/kv/}), fed with
     * nanoseconds. The caller bounds the methods and routes it asks for.
     */
    public Histogram httpTimer(String method, String routePrefix) {
        return timer(ConsulNames.http(method, routePrefix));
    }

    /** A timer when {@code name} ends in a unit, else a sample; named {@code map} of the name without the unit. */
    private Histogram histogram(String name, java.util.function.UnaryOperator<String> map) {
        ConsulNames.Unit u = ConsulNames.unit(name);
        String full = prefix + "." + map.apply(u.name());
        return u.unit().isPresent() ? registry.timer(full, u.unit().get()) : registry.sample(full);
    }

    /**
     * The view a plugin gets through its {@code PluginContext}: names scoped by {@code scope} (the
     * plugin's name, {@code gossip-swim-wan} for the WAN pool), then mapped to Consul's where the
     * table has them.
     */
    public Metrics scoped(String scope) {
        return new Metrics() {
            @Override
            public Counter counter(String name) {
                return AgentMetrics.this.counter(ConsulNames.pluginName(scope + "." + name));
            }

            @Override
            public void counter(String name, LongSupplier total) {
                AgentMetrics.this.counter(ConsulNames.pluginName(scope + "." + name), total);
            }

            @Override
            public void gauge(String name, LongSupplier supplier) {
                AgentMetrics.this.gauge(ConsulNames.pluginName(scope + "." + name), supplier);
            }

            @Override
            public Histogram histogram(String name) {
                return AgentMetrics.this.histogram(scope + "." + name, ConsulNames::pluginName);
            }
        };
    }

    // ------------------------------------------------------------------ reading

    /**
     * {@code /v1/agent/metrics}: Consul's JSON, or the Prometheus text with {@code prometheus};
     * {@link MetricsOps.Report#available()} is false when the Prometheus output is off
     * ({@code telemetry.prometheus_retention_time} is zero).
     */
    public MetricsOps.Report report(boolean prometheus) {
        if (!prometheus) {
            return new MetricsOps.Report(true, "application/json", registry.json());
        }
        Optional<String> text = registry.prometheus();
        return text.map(t -> new MetricsOps.Report(true, TelemetryRegistry.PROMETHEUS_CONTENT_TYPE, t))
                .orElseGet(() -> new MetricsOps.Report(false, "text/plain; charset=utf-8",
                        MetricsOps.PROMETHEUS_DISABLED));
    }

    /** Every metric's full dotted name, sorted. */
    public List<String> names() {
        return registry.names();
    }

    /** Ends the current JSON interval now (the agent does it every 10 s; tests call it). */
    public void roll() {
        registry.roll();
    }
}
