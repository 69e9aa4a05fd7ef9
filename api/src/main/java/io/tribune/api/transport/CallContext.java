package io.tribune.api.transport;

import java.util.Optional;

/**
 * What a handler knows about an incoming call.
 *
 * @param method         the method name
 * @param remote         the caller's address as seen by the transport, if known
 * @param peerIdentity   the caller's identity as the transport <em>verified</em> it, e.g. the
 *                       subject of a client certificate that chains to the trusted CA (each plugin
 *                       documents its form). Present only when the transport authenticated the
 *                       caller on this call's connection; empty for plaintext, for TLS that did
 *                       not ask for a client certificate, and for transports that do not
 *                       authenticate peers. Never a name the caller merely claimed, so a host may
 *                       refuse calls where it is empty.
 * @param deadlineNanos  the caller's deadline on the local {@link io.tribune.api.Clock#nanos()} scale,
 *                       or {@code Long.MAX_VALUE} when none was sent
 */
public record CallContext(String method, Optional<Endpoint> remote, Optional<String> peerIdentity,
                          long deadlineNanos) {
}
