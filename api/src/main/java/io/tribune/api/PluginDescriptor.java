package io.tribune.api;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a plugin says about itself: its name, its own version, which SPI areas it implements and
 * which SPI version it was built against.
 *
 * <p>Build a descriptor with {@link #of(String, String, String, SpiKind...)}; it records
 * {@link SpiVersion#MAJOR} and {@link SpiVersion#MINOR} as compiled into the plugin.
 *
 * @param name        the plugin's name as users select it, lower-case with dashes (e.g. {@code storage-rocksdb})
 * @param version     the plugin's own version
 * @param description one line for {@code tribune plugins}
 * @param provides    the SPI areas the plugin implements; must be non-empty
 * @param spiMajor    the SPI major version the plugin was built against
 * @param spiMinor    the SPI minor version the plugin was built against
 * @param durable     whether the plugin keeps data across a process crash (storage plugins must say;
 *                    other kinds report {@code false} unless they persist something)
 */
public record PluginDescriptor(String name, String version, String description, Set<SpiKind> provides,
                               int spiMajor, int spiMinor, boolean durable) {

    public PluginDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z][a-z0-9-]{0,63}")) {
            throw new IllegalArgumentException("plugin name '" + name
                    + "' must be lower-case letters, digits and dashes, starting with a letter, at most 64 characters");
        }
        if (provides == null || provides.isEmpty()) {
            throw new IllegalArgumentException("plugin '" + name + "' provides no SPI area");
        }
        provides = Set.copyOf(EnumSet.copyOf(provides));
    }

    /** A non-durable descriptor built against the SPI version this plugin is compiled with. */
    public static PluginDescriptor of(String name, String version, String description, SpiKind... provides) {
        return new PluginDescriptor(name, version, description, Set.of(provides),
                SpiVersion.MAJOR, SpiVersion.MINOR, false);
    }

    /** A copy that declares durability. */
    public PluginDescriptor withDurable(boolean isDurable) {
        return new PluginDescriptor(name, version, description, provides, spiMajor, spiMinor, isDurable);
    }

    /**
     * Why a host running SPI {@code hostMajor.hostMinor} cannot load this plugin, or {@code null}
     * when it can.
     */
    public String incompatibility(int hostMajor, int hostMinor) {
        if (spiMajor != hostMajor) {
            return "plugin '" + name + "' " + version + " was built against SPI " + spiMajor + "." + spiMinor
                    + " but this host implements SPI " + hostMajor + "." + hostMinor
                    + " (major versions must be equal)";
        }
        if (spiMinor > hostMinor) {
            return "plugin '" + name + "' " + version + " needs SPI " + spiMajor + "." + spiMinor
                    + " but this host implements only SPI " + hostMajor + "." + hostMinor
                    + " (upgrade the host or use an older plugin)";
        }
        return null;
    }
}
