package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tribune.api.Capability;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.testkit.PluginDescriptors;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every storage suite shares: the factory under test, a fresh data directory per test, the
 * storage opened on it, and {@link #restart()}.
 *
 * <p>A binding implements {@link #factory()} and may override {@link #config()}. The context handed
 * to the factory runs on a virtual clock and a {@link SimScheduler} whose tasks the kit never runs,
 * so a plugin must not depend on the platform scheduler for correctness of its write methods (a
 * durable write must be durable when it returns, not when a timer fires).
 */
public abstract class StorageConformanceSupport {

    /** A fresh directory per test, deleted afterwards; handed to the plugin as its data directory. */
    @TempDir
    protected Path dataDir;

    /** The storage under test, opened before each test on {@link #dataDir} and closed after it. */
    protected Storage storage;

    /** Subclasses are JUnit test classes. */
    protected StorageConformanceSupport() {
    }

    /** The factory of the plugin under test; may return a new instance per call. */
    protected abstract StorageFactory factory();

    /** The configuration passed to {@link StorageFactory#create}; empty by default. */
    protected PluginConfig config() {
        return PluginConfig.empty();
    }

    /**
     * The descriptor of the plugin under test, from which the kit reads its capabilities; by default
     * the registered plugin that offers {@link #factory()} ({@link PluginDescriptors#owning}), empty
     * when none is registered (then the factory's own {@code durable()} decides).
     */
    protected Optional<PluginDescriptor> descriptor() {
        return PluginDescriptors.owning(factory(), getClass().getClassLoader());
    }

    /**
     * Whether the plugin claims durability, as its descriptor declares ({@link Capability#DURABLE})
     * or else as the factory answers; decides whether restart and crash checks apply.
     */
    protected final boolean durable() {
        return descriptor().flatMap(d -> d.declares(Capability.DURABLE)).orElseGet(() -> factory().durable());
    }

    /**
     * A plugin that declares its capabilities says the same about durability in its descriptor as
     * its factory does (the host refuses to load one that contradicts itself).
     */
    @Test
    public void declaredDurabilityMatchesTheFactory() {
        Optional<Boolean> declared = descriptor().flatMap(d -> d.declares(Capability.DURABLE));
        if (declared.isPresent()) {
            assertEquals(declared.get(), factory().durable(), "descriptor declares DURABLE=" + declared.get()
                    + " but StorageFactory.durable() answers " + factory().durable());
        }
    }

    /** A context on virtual time with {@code dir} as the data directory (or none when null). */
    protected PluginContext context(Path dir) {
        SimScheduler scheduler = new SimScheduler();
        return TestContext.builder("tck-node").clock(scheduler.clock()).scheduler(scheduler).seed(42)
                .dataDir(dir).build();
    }

    /** Opens a storage on {@link #dataDir} with {@link #config()}. */
    protected Storage open() {
        return factory().create(config(), context(dataDir));
    }

    @BeforeEach
    final void openStorage() {
        storage = open();
    }

    @AfterEach
    final void closeStorage() {
        if (storage != null) {
            storage.close();
            storage = null;
        }
    }

    /**
     * Closes the storage and opens it again on the same data directory, as a process restart would.
     * Skips the calling test (with the reason) when the plugin is not durable.
     */
    protected final void restart() {
        assumeTrue(durable(), factory().name() + " is not durable: restart persistence does not apply");
        storage.close();
        storage = null;
        storage = open();
    }
}
