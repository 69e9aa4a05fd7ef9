package io.tribune.transport.grpc.internal.osgi;

import io.tribune.api.Plugin;
import io.tribune.transport.grpc.GrpcTransportPlugin;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers {@link GrpcTransportPlugin} as an {@link Plugin} service while the bundle is active.
 * Transports own their threads and are closed by the host that created them before it stops the
 * bundle; the plugin object itself holds nothing to release.
 */
public final class Activator implements BundleActivator {
    private ServiceRegistration<Plugin> registration;

    /** Called by the framework. */
    public Activator() {
    }

    @Override
    public void start(BundleContext context) {
        registration = context.registerService(Plugin.class, new GrpcTransportPlugin(), null);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
