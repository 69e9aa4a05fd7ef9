package io.tribune.storage.memory.internal.osgi;

import io.tribune.api.Plugin;
import io.tribune.storage.memory.InMemoryStoragePlugin;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the plugin as an {@link Plugin} OSGi service when the bundle starts, the OSGi
 * counterpart of the {@code provides} clause in {@code module-info}.
 */
public final class Activator implements BundleActivator {
    private ServiceRegistration<Plugin> registration;

    /** Called by the framework. */
    public Activator() {
    }

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("tribune.plugin.name", InMemoryStoragePlugin.NAME);
        registration = context.registerService(Plugin.class, new InMemoryStoragePlugin(), props);
    }

    @Override
    public void stop(BundleContext context) {
        ServiceRegistration<Plugin> r = registration;
        registration = null;
        if (r != null) {
            r.unregister();
        }
    }
}
