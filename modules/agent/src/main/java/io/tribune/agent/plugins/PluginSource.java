package io.tribune.agent.plugins;

import java.util.List;

/**
 * A runtime that finds plugins: an embedded OSGi framework or a set of JPMS module layers. The
 * agent asks it once for its plugins and closes it at shutdown, after closing every instance it
 * created from them.
 */
public interface PluginSource extends AutoCloseable {

    /** {@code felix} or {@code jpms}, for messages and {@code /v1/agent/self}. */
    String runtime();

    /**
     * Loads every plugin.
     *
     * @throws PluginLoadException naming the jar or bundle, the interface and the reason, when one
     *                             cannot be loaded
     */
    List<LoadedPlugin> load();

    /** Releases class loaders or stops the framework. */
    @Override
    void close();
}
