package io.tribune.transport.inproc.internal;

import io.tribune.api.transport.TransportException;

/** A call or stream that has not completed and that a closing transport must fail. */
interface InFlight {
    /** Fails the call with {@code cause} unless it already completed. Idempotent. */
    void fail(TransportException cause);
}
