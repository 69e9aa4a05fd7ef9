/**
 * An example plugin that wraps another plugin: storage {@code storage-counting} counts the calls
 * its host makes to another storage plugin (chosen with {@code storage-counting.wrap}) and exposes
 * the counts through the host's {@link io.tribune.api.Metrics}. Provides
 * {@link io.tribune.api.Plugin}; finds the wrapped plugin through
 * {@link io.tribune.api.PluginContext#factory}, so it needs no view of that plugin's module.
 */
module com.example.counting {
    requires io.tribune.api;
    requires static osgi.core;

    provides io.tribune.api.Plugin with com.example.counting.CountingPlugin;
}
