package io.tribune.agent.plugins;

import io.tribune.api.Capability;
import io.tribune.api.SpiKind;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

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
 * @param capabilities what the host reads the factory as able to do ({@link Capabilities#of}),
 *                    in declaration order
 */
public record RunningPlugin(SpiKind kind, String factory, String plugin, String version, String origin,
                            long sinceMillis, Set<Capability> capabilities) {
    /** Checks for nulls and copies the capabilities (declaration order is kept). */
    public RunningPlugin {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(origin, "origin");
        EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
        caps.addAll(capabilities);
        capabilities = java.util.Collections.unmodifiableSet(caps);
    }

    /** A running plugin whose capabilities are not known (none listed). */
    public RunningPlugin(SpiKind kind, String factory, String plugin, String version, String origin,
                         long sinceMillis) {
        this(kind, factory, plugin, version, origin, sinceMillis, Set.of());
    }
}
