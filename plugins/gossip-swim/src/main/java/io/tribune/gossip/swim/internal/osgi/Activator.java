package io.tribune.gossip.swim.internal.osgi;

import io.tribune.api.Plugin;
import io.tribune.gossip.swim.internal.SwimPlugin;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the plugin as an {@link Plugin} OSGi service when the bundle starts, the same object
 * that {@code ServiceLoader} finds on the module path.
 */
public final class Activator implements BundleActivator {
    private ServiceRegistration<Plugin> registration;

    @Override
    public void start(BundleContext context) {
        registration = context.registerService(Plugin.class, new SwimPlugin(), null);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
