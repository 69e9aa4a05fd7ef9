package io.tribune.transport.inproc.internal.osgi;

import io.tribune.api.Plugin;
import io.tribune.transport.inproc.InProcTransportPlugin;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers {@link InProcTransportPlugin} as an {@link Plugin} service while the bundle is active.
 * The plugin owns no threads, so stopping only withdraws the service.
 */
public final class Activator implements BundleActivator {
    private ServiceRegistration<Plugin> registration;

    /** Called by the framework. */
    public Activator() {
    }

    @Override
    public void start(BundleContext context) {
        registration = context.registerService(Plugin.class, new InProcTransportPlugin(), null);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
