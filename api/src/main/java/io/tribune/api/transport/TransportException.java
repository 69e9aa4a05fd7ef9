package io.tribune.api.transport;

import java.util.Objects;

/**
 * An RPC failed. {@link #code()} classifies the failure; {@link #notDelivered()} says whether the
 * transport is certain that the request never reached the peer's handler.
 *
 * <p>Immutable and safe to share between threads. A transport fails a call's future with the
 * instance itself; stages that depend on that future see it wrapped in a
 * {@link java.util.concurrent.CompletionException}, whose cause is this same instance with the same
 * code and flag.
 */
public class TransportException extends RuntimeException {

    /** Why an RPC failed. */
    public enum Code {
        /** The peer could not be reached or the connection broke; the request may not have been seen. Retry elsewhere or later. */
        UNAVAILABLE,
        /** The deadline passed; the peer may or may not have processed the request. */
        DEADLINE_EXCEEDED,
        /** The caller cancelled, or the transport was closed. */
        CANCELLED,
        /** The request or response exceeds the maximum message size; nothing was sent. */
        TOO_LARGE,
        /** The peer has no handler for the method. */
        NO_HANDLER,
        /** The peer's handler failed; the message is the handler's. */
        HANDLER_ERROR,
        /** The peer refused the caller (TLS, authorization). */
        REFUSED,
        /** The peer is overloaded and shed the request. */
        RESOURCE_EXHAUSTED,
        /** A bug or an unexpected failure in the transport itself. */
        INTERNAL
    }

    private final Code code;
    private final boolean notDelivered;

    /** A failure whose delivery is unknown ({@link #notDelivered()} is false). */
    public TransportException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.notDelivered = false;
    }

    /** A failure with a cause whose delivery is unknown ({@link #notDelivered()} is false). */
    public TransportException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.notDelivered = false;
    }

    /**
     * A failure that states whether the request was certainly not delivered.
     *
     * @param cause        the underlying failure, or null
     * @param notDelivered true only under the conditions of {@link #notDelivered()}
     * @since SPI 1.2
     */
    public TransportException(Code code, String message, Throwable cause, boolean notDelivered) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.notDelivered = notDelivered;
    }

    /**
     * A failure of a request that certainly never reached the peer's handler: {@link #notDelivered()}
     * is true. For the conditions under which a transport may say so, see there.
     *
     * @since SPI 1.2
     */
    public static TransportException undelivered(Code code, String message) {
        return new TransportException(code, message, null, true);
    }

    /** The failure class. */
    public Code code() {
        return code;
    }

    /**
     * Whether the transport is certain that no part of the request reached the peer's handler, so
     * that sending it again cannot make the peer act on it twice.
     *
     * <p><b>True</b> only when the transport knows it, because the request never left this node:
     * <ul>
     *   <li>the connection was refused or never established: nothing listens on the endpoint, the
     *       peer is not (or no longer) in an in-process hub, the TLS handshake failed before any
     *       request was written; code {@code UNAVAILABLE} or {@code REFUSED};</li>
     *   <li>the request failed a check before sending, e.g. it exceeds this transport's own
     *       {@link Transport#maxMessageBytes()}; code {@code TOO_LARGE};</li>
     *   <li>the transport was closed before the call was sent; code {@code CANCELLED};</li>
     *   <li>the deadline passed while the call still waited for a connection; code
     *       {@code DEADLINE_EXCEEDED}.</li>
     * </ul>
     * A transport may also report true when its peer refused a request before handing it to a
     * handler and the transport can tell so for certain (the in-process transport does for a request
     * over the receiver's smaller limit).
     *
     * <p><b>False</b> means unknown, and is always a correct answer: the request was or may have
     * been handed to the peer, e.g. the connection broke after sending, the peer closed while
     * serving the call, the deadline passed after sending, the caller's transport was closed while
     * the call was in flight, or the peer answered with a failure ({@code NO_HANDLER},
     * {@code HANDLER_ERROR}, ...). It is the default of the two older constructors, so every plugin
     * built before SPI 1.2 reports false.
     *
     * <p>The flag describes one hop. A handler that fails with a {@link TransportException} of its
     * own (from a call it forwarded further) sends its code and message to the caller but never
     * its flag: the caller's request did reach that handler.
     *
     * <p>For a client stream, true on the stream's failure means that nothing of the stream reached
     * the receiver (no {@link StreamHandler#open}); true on the failure of one
     * {@link OutboundStream#send} refused for its size means only that this chunk was not sent.
     *
     * @since SPI 1.2
     */
    public boolean notDelivered() {
        return notDelivered;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
