package com.example.counting.internal;

import com.example.counting.CountingPlugin;
import io.tribune.api.Plugin;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/** Registers the plugin as an OSGi service when the bundle starts in Tribune's embedded Felix. */
public final class Activator implements BundleActivator {
    @Override
    public void start(BundleContext context) {
        context.registerService(Plugin.class, new CountingPlugin(), null);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service.
    }
}
