package io.tribune.consensus.single.internal.osgi;

import io.tribune.api.Plugin;
import io.tribune.consensus.single.ConsensusSinglePlugin;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/** Registers the plugin as an {@link Plugin} OSGi service while the bundle is active. */
public final class Activator implements BundleActivator {
    private ServiceRegistration<Plugin> registration;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("tribune.plugin", ConsensusSinglePlugin.NAME);
        registration = context.registerService(Plugin.class, new ConsensusSinglePlugin(), props);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }
}
