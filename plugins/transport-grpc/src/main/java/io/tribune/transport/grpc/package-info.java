/**
 * Entry points of the gRPC transport: the {@link io.tribune.api.Plugin} and its
 * {@link io.tribune.api.transport.TransportFactory}, whose Javadoc lists the configuration keys.
 */
package io.tribune.transport.grpc;
