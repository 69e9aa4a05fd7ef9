/**
 * The in-process transport plugin {@code transport-inproc}: node-to-node RPC between transports
 * that live in the same JVM, for {@code -dev} mode, tests and whole-cluster simulations.
 *
 * <p>Provides {@link io.tribune.api.Plugin} ({@link io.tribune.transport.inproc.InProcTransportPlugin}),
 * which offers one {@link io.tribune.api.transport.TransportFactory} named {@code transport-inproc}.
 * It opens no sockets and starts no threads: every delivery, response and deadline runs on the
 * {@link io.tribune.api.Scheduler} of the {@link io.tribune.api.PluginContext} it is created with,
 * so on a simulated scheduler a run is deterministic. Inside OSGi the bundle activator registers
 * the same plugin object as an {@code io.tribune.api.Plugin} service.
 */
module io.tribune.transport.inproc {
    requires transitive io.tribune.api;
    requires static osgi.core;

    exports io.tribune.transport.inproc;

    provides io.tribune.api.Plugin with io.tribune.transport.inproc.InProcTransportPlugin;
}
