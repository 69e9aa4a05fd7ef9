/**
 * The gRPC transport plugin {@code transport-grpc}: node-to-node RPC over gRPC-Java (HTTP/2,
 * Netty), on the server RPC port (8300 by default in the host's configuration).
 *
 * <p>Provides {@link io.tribune.api.Plugin} ({@link io.tribune.transport.grpc.GrpcTransportPlugin}),
 * which offers one {@link io.tribune.api.transport.TransportFactory} named {@code transport-grpc}:
 * unary calls and client streams with deadlines, cancellation, flow-control backpressure and
 * bounded message sizes; one pooled, multiplexed connection per peer with reconnect backoff and
 * idle close; optional mutual TLS with Consul's {@code verify_incoming}, {@code verify_outgoing} and
 * {@code verify_server_hostname} semantics. Uses no services. Every transport owns its Netty
 * event-loop groups and callback executor and shuts them down in {@code close()}, so the bundle can
 * be stopped and updated inside OSGi, where the activator registers the same plugin object as an
 * {@code io.tribune.api.Plugin} service.
 *
 * <p>No generated code: a generic service with one unary and one client-streaming method carries
 * opaque bytes, with the Tribune method name in a request header.
 */
module io.tribune.transport.grpc {
    requires transitive io.tribune.api;
    requires io.grpc;
    requires io.grpc.netty;
    // Netty's explicit modules are not read transitively through the automatic grpc modules.
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.handler;
    requires static osgi.core;

    exports io.tribune.transport.grpc;

    provides io.tribune.api.Plugin with io.tribune.transport.grpc.GrpcTransportPlugin;
}
