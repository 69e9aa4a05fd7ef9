package io.tribune.agent.plugins;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

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

    /**
     * Replaces the code of the loaded plugin {@code name} in the running process (a live update)
     * and returns the new revision's plugin.
     *
     * <p>Order: the runtime first runs {@code releaseOld}, in which the agent closes every instance
     * it made from the old revision (their threads stop there), then swaps the code (from
     * {@code jar} when given, otherwise from where the plugin was loaded), and returns the plugin
     * the new revision registers. Called from one thread at a time; it blocks until done.
     *
     * <p>By default a runtime cannot do this: it throws {@link PluginLoadException} saying the
     * plugin needs a restart, without running {@code releaseOld}, and nothing changes.
     *
     * @throws PluginLoadException when the plugin is unknown, the jar cannot be read, or the new
     *                             revision does not resolve, start or register a plugin of the
     *                             same name; when {@code releaseOld} ran, the old revision's
     *                             factories may still be used only if the message says so
     */
    default LoadedPlugin update(String name, Optional<Path> jar, Runnable releaseOld) {
        throw new PluginLoadException("the " + runtime() + " runtime cannot replace plugin '" + name
                + "' in a running agent; restart the agent to load a new version");
    }

    /** Releases class loaders or stops the framework. */
    @Override
    void close();
}
