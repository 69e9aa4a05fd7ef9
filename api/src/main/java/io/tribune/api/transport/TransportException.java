package io.tribune.api.transport;

import java.util.Objects;

/** An RPC failed. {@link #code()} classifies the failure. */
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

    public TransportException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public TransportException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The failure class. */
    public Code code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
