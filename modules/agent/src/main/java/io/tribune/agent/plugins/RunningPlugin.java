package io.tribune.agent.plugins;

import io.tribune.api.SpiKind;
import java.util.Objects;

/**
 * One plugin instance an agent runs, as {@code tribune plugins} and {@code /v1/agent/self} report
 * it: what is loaded in the process, not what lies in the plugins directory.
 *
 * @param kind        the SPI area it serves
 * @param factory     the factory's name (what {@code -plugin KIND=NAME} chose)
 * @param plugin      the plugin's name from its descriptor
 * @param version     the plugin's version from its descriptor
 * @param origin      where its code came from (a jar, or a bundle and its location)
 * @param sinceMillis when this instance started, in wall-clock milliseconds since the epoch
 */
public record RunningPlugin(SpiKind kind, String factory, String plugin, String version, String origin,
                            long sinceMillis) {
    public RunningPlugin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(origin, "origin");
    }
}
