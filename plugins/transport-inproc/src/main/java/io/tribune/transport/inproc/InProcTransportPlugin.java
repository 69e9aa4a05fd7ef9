package io.tribune.transport.inproc;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.transport.TransportFactory;
import java.util.List;

/**
 * The {@code transport-inproc} plugin: offers {@link InProcTransportFactory}.
 *
 * <p>Cheap to construct and stateless; found through {@link java.util.ServiceLoader} on the module
 * path and registered as an OSGi service by the bundle activator.
 */
public final class InProcTransportPlugin implements Plugin {
    /** The plugin's name, which is also its factory's name. */
    public static final String NAME = "transport-inproc";
    /** The plugin's own version. */
    public static final String VERSION = "0.1.0";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, VERSION,
            "In-process transport for -dev mode and tests: same contracts as a network transport, no sockets",
            SpiKind.TRANSPORT)
            .withCapabilities(Capability.CALL_ONLY, Capability.LIVE_UPDATE);

    private final List<TransportFactory> factories = List.of(new InProcTransportFactory());

    /** Creates the plugin; called by {@link java.util.ServiceLoader} or the bundle activator. */
    public InProcTransportPlugin() {
    }

    /** Name {@value #NAME}, transport only, not durable. */
    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /** One factory, {@link InProcTransportFactory}. */
    @Override
    public List<TransportFactory> transportFactories() {
        return factories;
    }
}
