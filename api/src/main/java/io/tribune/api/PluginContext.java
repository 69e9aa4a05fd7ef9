package io.tribune.api;

import java.nio.file.Path;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The host services handed to a plugin when one of its factories creates an instance.
 *
 * <p>Everything a plugin needs from its environment comes from here: time, timers, randomness,
 * logging, metrics and where to keep files. In the deterministic simulator the host passes a
 * virtual clock, a single-threaded scheduler and a seeded random source, so a plugin that follows
 * this rule runs unchanged there.
 *
 * <p>Thread-safe.
 */
public interface PluginContext {

    /** The name of the local node (agent), unique in its datacenter. */
    String nodeName();

    /** The datacenter of the local node. */
    String datacenter();

    /** The platform's clock. */
    Clock clock();

    /** The platform's scheduler, driven by {@link #clock()}. */
    Scheduler scheduler();

    /**
     * A new random generator, derived from the node's seed. Each call returns an independent
     * generator for the caller's exclusive use (generators are not thread-safe).
     */
    RandomGenerator random();

    /** A logger; the host routes it to its log output with the plugin's name. */
    System.Logger logger(String name);

    /** The metrics registry, scoped to this plugin. */
    Metrics metrics();

    /**
     * A directory that belongs to this plugin instance, created by the host; empty when the agent
     * runs without a data directory (dev mode), in which case a durable plugin must refuse to start.
     */
    Optional<Path> dataDir();

    /**
     * The factory of another installed plugin, so that a plugin can wrap (decorate) it: a storage
     * plugin that counts, encrypts or mirrors the calls of another storage plugin, a transport that
     * adds tracing around another transport. The wrapper typically takes the name from its own
     * configuration (e.g. {@code storage-counting.wrap=storage-rocksdb}), creates the wrapped
     * instance from the returned factory inside its own {@code create} (passing this context or one
     * of its own) and closes it in its own {@code close}.
     *
     * <p>Only factories of installed plugins are found, by SPI area and factory name (what users
     * type after {@code -plugin KIND=}); never the calling factory itself, so a plugin cannot wrap
     * itself. The wrapper sees the wrapped plugin only through the SPI types: its classes stay in
     * their own class loader (JPMS layer or OSGi bundle), so wrapper and wrapped may bring different
     * versions of the same library.
     *
     * <p>Thread-safe; cheap; may be called from {@code create} or later. A default method added
     * without an SPI version change: a host that cannot look plugins up (the default, and hosts
     * built before it) answers empty, which a wrapper must report as a configuration error naming
     * the key that chose the wrapped plugin.
     *
     * @param kind the SPI area of the wanted factory
     * @param type the factory interface of that area ({@code StorageFactory.class}, ...)
     * @param name the factory's name
     * @return the factory, or empty when none of that area and name is installed, or when it is not
     *         of {@code type}
     */
    default <F extends ProviderFactory> Optional<F> factory(SpiKind kind, Class<F> type, String name) {
        return Optional.empty();
    }
}
