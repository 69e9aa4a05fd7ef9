package io.tribune.agent.plugins;

import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import java.util.Objects;

/**
 * A plugin found by a runtime.
 *
 * @param plugin     the entry point
 * @param descriptor its descriptor, read once
 * @param origin     where it came from (a jar path or an OSGi bundle), for messages
 */
public record LoadedPlugin(Plugin plugin, PluginDescriptor descriptor, String origin) {
    public LoadedPlugin {
        Objects.requireNonNull(plugin, "plugin");
        Objects.requireNonNull(descriptor, "descriptor");
        Objects.requireNonNull(origin, "origin");
    }

    /** Reads the descriptor of {@code plugin}, turning a failure into a {@link PluginLoadException}. */
    public static LoadedPlugin of(Plugin plugin, String origin) {
        PluginDescriptor d;
        try {
            d = plugin.descriptor();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginLoadException(origin + ": " + plugin.getClass().getName()
                    + " (io.tribune.api.Plugin) failed to describe itself: " + e, e);
        }
        if (d == null) {
            throw new PluginLoadException(origin + ": " + plugin.getClass().getName()
                    + " (io.tribune.api.Plugin) returned no descriptor");
        }
        return new LoadedPlugin(plugin, d, origin);
    }
}
