package io.tribune.agent.platform;

import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;
import io.tribune.api.Scheduler;
import io.tribune.api.SpiKind;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/** The {@link PluginContext} the agent hands to one plugin instance. */
public final class AgentPluginContext implements PluginContext {
    private final String nodeName;
    private final String datacenter;
    private final Clock clock;
    private final Scheduler scheduler;
    private final SplittableRandom random;
    private final String loggerPrefix;
    private final String component;
    private final Metrics metrics;
    private final Optional<Path> dataDir;
    private final PluginLookup lookup;

    /**
     * How the host finds another plugin's factory for {@link #factory} (plugins that wrap plugins).
     * Thread-safe; answers {@code null} when there is none.
     */
    @FunctionalInterface
    public interface PluginLookup {
        /** The installed factory of {@code kind} named {@code name}, or {@code null}. */
        ProviderFactory find(SpiKind kind, String name);
    }

    /**
     * @param seed      root of this instance's random generators
     * @param component name used as the logger prefix, e.g. {@code raft}
     */
    public AgentPluginContext(String nodeName, String datacenter, Clock clock, Scheduler scheduler, long seed,
                              String component, Metrics metrics, Optional<Path> dataDir) {
        this(nodeName, datacenter, clock, scheduler, seed, component, metrics, dataDir, (k, n) -> null);
    }

    /**
     * As the other constructor, with {@code lookup} answering {@link #factory} (never asked for
     * {@code component} itself: a plugin cannot wrap itself).
     */
    public AgentPluginContext(String nodeName, String datacenter, Clock clock, Scheduler scheduler, long seed,
                              String component, Metrics metrics, Optional<Path> dataDir, PluginLookup lookup) {
        this.nodeName = nodeName;
        this.datacenter = datacenter;
        this.clock = clock;
        this.scheduler = scheduler;
        this.random = new SplittableRandom(seed);
        this.loggerPrefix = "tribune." + component;
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.lookup = java.util.Objects.requireNonNull(lookup, "lookup");
        this.component = component;
    }

    @Override
    public String nodeName() {
        return nodeName;
    }

    @Override
    public String datacenter() {
        return datacenter;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public synchronized RandomGenerator random() {
        return random.split();
    }

    @Override
    public System.Logger logger(String name) {
        return System.getLogger(loggerPrefix + "." + name);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public Optional<Path> dataDir() {
        return dataDir;
    }

    @Override
    public <F extends ProviderFactory> Optional<F> factory(SpiKind kind, Class<F> type, String name) {
        java.util.Objects.requireNonNull(kind, "kind");
        java.util.Objects.requireNonNull(type, "type");
        if (name == null || name.equals(component)) {
            return Optional.empty();
        }
        ProviderFactory f = lookup.find(kind, name);
        return type.isInstance(f) ? Optional.of(type.cast(f)) : Optional.empty();
    }
}
