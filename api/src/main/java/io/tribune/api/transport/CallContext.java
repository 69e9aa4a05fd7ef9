package io.tribune.api.transport;

import java.util.Optional;

/**
 * What a handler knows about an incoming call.
 *
 * @param method         the method name
 * @param remote         the caller's address as seen by the transport, if known
 * @param peerIdentity   the authenticated identity of the caller (e.g. the TLS certificate's
 *                       subject), if the transport authenticates peers
 * @param deadlineNanos  the caller's deadline on the local {@link io.tribune.api.Clock#nanos()} scale,
 *                       or {@code Long.MAX_VALUE} when none was sent
 */
public record CallContext(String method, Optional<Endpoint> remote, Optional<String> peerIdentity,
                          long deadlineNanos) {
}
