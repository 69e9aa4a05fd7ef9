/**
 * Entry points of the in-process transport: the {@link io.tribune.api.Plugin} and its
 * {@link io.tribune.api.transport.TransportFactory}.
 *
 * <p>Transports created by the factory register their endpoint in a process-wide hub (one per
 * hub name, see {@link io.tribune.transport.inproc.InProcTransportFactory#HUB_KEY}); a call to an
 * {@link io.tribune.api.transport.Endpoint} reaches the transport registered under exactly that
 * endpoint. Payloads are copied at both ends, as on a wire, so neither side can see the other
 * mutate an array after it was handed over.
 */
package io.tribune.transport.inproc;
