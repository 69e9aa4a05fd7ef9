/**
 * Transport SPI: request/response and streaming RPC between nodes.
 *
 * <p>A transport plugin implements {@link io.tribune.api.transport.TransportFactory}. The host
 * registers handlers by method name on the {@link io.tribune.api.transport.Transport} it creates
 * and calls peers by {@link io.tribune.api.transport.Endpoint}. Payloads are opaque bytes: the
 * callers (consensus, forwarding) own their encodings.
 *
 * <p><b>Contracts shared by every method.</b> Every call has a deadline. Failures complete the
 * returned future exceptionally with a {@link io.tribune.api.transport.TransportException} whose
 * {@link io.tribune.api.transport.TransportException.Code} tells the caller whether retrying
 * elsewhere makes sense. A payload larger than the transport's maximum message size fails with
 * {@code TOO_LARGE} without being sent. Calls to one peer may be delivered out of order: callers
 * that need order must number their messages.
 *
 * <p><b>Was it delivered?</b> A failed call leaves the caller unsure whether the peer acted on the
 * request, except when the failure's
 * {@link io.tribune.api.transport.TransportException#notDelivered()} is true: then the transport is
 * certain that the request never reached the peer's handler (connection refused, nothing
 * listening, request too large to send, transport closed before sending), and a write may be sent
 * again, or reported as not done, without risk of applying it twice. False means unknown.
 *
 * <p><b>Call-only transports.</b> A host that only calls (a client agent) creates its transport
 * with {@link io.tribune.api.transport.TransportSetup#callOnly(io.tribune.api.transport.Endpoint, int,
 * java.util.Optional)} when the factory
 * {@linkplain io.tribune.api.transport.TransportFactory#supportsCallOnly() supports it}: such a
 * transport never listens and refuses handlers, and calls work as usual.
 *
 * <p><b>Caller identity.</b> {@link io.tribune.api.transport.CallContext#peerIdentity()} is set only
 * from credentials the transport verified (a client certificate under mutual TLS), so a host that
 * requires authenticated callers may refuse calls where it is empty.
 */
package io.tribune.api.transport;
