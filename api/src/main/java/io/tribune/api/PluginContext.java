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
}
