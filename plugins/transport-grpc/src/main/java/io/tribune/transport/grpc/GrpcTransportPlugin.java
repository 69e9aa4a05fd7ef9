package io.tribune.transport.grpc;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.transport.TransportFactory;
import java.util.List;

/**
 * The {@code transport-grpc} plugin: offers {@link GrpcTransportFactory}.
 *
 * <p>Cheap to construct; starts nothing until a factory creates a transport.
 */
public final class GrpcTransportPlugin implements Plugin {
    /** The plugin's name, which is also its factory's name. */
    public static final String NAME = "transport-grpc";
    /** The plugin's own version. */
    public static final String VERSION = "0.1.0";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, VERSION,
            "Node-to-node RPC over gRPC (HTTP/2): pooled connections, deadlines, backpressure, mutual TLS",
            SpiKind.TRANSPORT)
            .withCapabilities(Capability.CALL_ONLY, Capability.LIVE_UPDATE);

    private final List<TransportFactory> factories = List.of(new GrpcTransportFactory());

    /** Creates the plugin; called by {@link java.util.ServiceLoader} or the bundle activator. */
    public GrpcTransportPlugin() {
    }

    /** Name {@value #NAME}, transport only, not durable. */
    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /** One factory, {@link GrpcTransportFactory}. */
    @Override
    public List<TransportFactory> transportFactories() {
        return factories;
    }
}
