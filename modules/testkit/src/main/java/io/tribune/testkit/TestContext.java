package io.tribune.testkit;

import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import io.tribune.api.PluginContext;
import io.tribune.api.Scheduler;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * A {@link PluginContext} for tests: a given clock and scheduler (virtual or real), randomness
 * derived from a seed, and a logger that prints to standard error with the node's name.
 *
 * <p>{@link #random()} hands out generators split from one seeded root in call order, so a
 * single-threaded test gets the same numbers every run.
 */
public final class TestContext implements PluginContext {
    private final String nodeName;
    private final String datacenter;
    private final Clock clock;
    private final Scheduler scheduler;
    private final SplittableRandom root;
    private final Optional<Path> dataDir;
    private final Metrics metrics;
    private final System.Logger.Level minLevel;

    private TestContext(Builder b) {
        this.nodeName = b.nodeName;
        this.datacenter = b.datacenter;
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        this.root = new SplittableRandom(b.seed);
        this.dataDir = Optional.ofNullable(b.dataDir);
        this.metrics = b.metrics;
        this.minLevel = b.minLevel;
    }

    /** A context on a {@link SimScheduler}'s virtual clock. */
    public static TestContext simulated(String nodeName, SimScheduler scheduler, long seed) {
        return builder(nodeName).clock(scheduler.clock()).scheduler(scheduler).seed(seed).build();
    }

    /** Starts a builder; clock and scheduler default to real ones ({@link RealScheduler}). */
    public static Builder builder(String nodeName) {
        return new Builder(nodeName);
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
        return root.split();
    }

    @Override
    public System.Logger logger(String name) {
        return new StderrLogger(nodeName + "/" + name, minLevel);
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    @Override
    public Optional<Path> dataDir() {
        return dataDir;
    }

    /** Builds a {@link TestContext}. */
    public static final class Builder {
        private final String nodeName;
        private String datacenter = "dc1";
        private Clock clock;
        private Scheduler scheduler;
        private long seed = 1;
        private Path dataDir;
        private Metrics metrics = Metrics.noop();
        private System.Logger.Level minLevel = System.Logger.Level.WARNING;

        private Builder(String nodeName) {
            this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        }

        public Builder datacenter(String dc) {
            this.datacenter = dc;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Builder scheduler(Scheduler s) {
            this.scheduler = s;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder dataDir(Path p) {
            this.dataDir = p;
            return this;
        }

        public Builder metrics(Metrics m) {
            this.metrics = m;
            return this;
        }

        /** Least severe level printed; default WARNING. */
        public Builder logLevel(System.Logger.Level level) {
            this.minLevel = level;
            return this;
        }

        public TestContext build() {
            if (clock == null && scheduler == null) {
                RealScheduler rs = new RealScheduler(nodeName);
                clock = rs;
                scheduler = rs;
            } else if (clock == null || scheduler == null) {
                throw new IllegalStateException("give both a clock and a scheduler, or neither");
            }
            return new TestContext(this);
        }
    }
}
