/**
 * The plugin entry point ({@link io.tribune.api.Plugin}), its descriptor, and the platform services
 * that the host hands to every plugin through {@link io.tribune.api.PluginContext}: clock,
 * scheduler, seeded randomness, logging and metrics.
 *
 * <p>Plugins must take time, timers and randomness from the context rather than from the JDK, so
 * that the same plugin code runs unchanged inside the deterministic simulator.
 */
package io.tribune.api;
