package io.tribune.agent.plugins;

import io.tribune.api.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds plugins with {@link ServiceLoader} on one class loader: for embedding an agent in a plain
 * Java program, or for tests, where plugins sit on the application's class or module path.
 */
public final class ServiceLoaderPluginSource implements PluginSource {
    private final ClassLoader loader;

    /** Plugins visible to {@code loader}. */
    public ServiceLoaderPluginSource(ClassLoader loader) {
        this.loader = loader;
    }

    @Override
    public String runtime() {
        return "embedded";
    }

    @Override
    public List<LoadedPlugin> load() {
        List<LoadedPlugin> out = new ArrayList<>();
        try {
            for (ServiceLoader.Provider<Plugin> p : ServiceLoader.load(Plugin.class, loader).stream().toList()) {
                String where = p.type().getModule().isNamed() ? "module " + p.type().getModule().getName()
                        : String.valueOf(p.type().getProtectionDomain().getCodeSource() == null ? p.type().getName()
                        : p.type().getProtectionDomain().getCodeSource().getLocation());
                out.add(LoadedPlugin.of(p.get(), where));
            }
        } catch (ServiceConfigurationError e) {
            throw new PluginLoadException("cannot instantiate an io.tribune.api.Plugin provider: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void close() {
    }
}
