package io.tribune.agent.platform;

import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.Scheduler;
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
    private final Metrics metrics;
    private final Optional<Path> dataDir;

    /**
     * @param seed      root of this instance's random generators
     * @param component name used as the logger prefix, e.g. {@code raft}
     */
    public AgentPluginContext(String nodeName, String datacenter, Clock clock, Scheduler scheduler, long seed,
                              String component, Metrics metrics, Optional<Path> dataDir) {
        this.nodeName = nodeName;
        this.datacenter = datacenter;
        this.clock = clock;
        this.scheduler = scheduler;
        this.random = new SplittableRandom(seed);
        this.loggerPrefix = "tribune." + component;
        this.metrics = metrics;
        this.dataDir = dataDir;
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
}
