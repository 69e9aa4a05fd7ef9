package io.tribune.transport.inproc.internal;

import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Argument checks and the mapping of handler failures to transport failures. */
final class Failures {
    /** Longest method name accepted, in characters: names are identifiers, not payload. */
    static final int MAX_METHOD_CHARS = 256;
    /** Longest timeout accepted: one day, far above any RPC or snapshot transfer. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private Failures() {
    }

    static void checkMethod(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || method.length() > MAX_METHOD_CHARS) {
            throw new IllegalArgumentException("method name must have 1.." + MAX_METHOD_CHARS
                    + " characters, got " + method.length());
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IllegalArgumentException("method name '" + method
                        + "' must be printable ASCII without spaces");
            }
        }
    }

    static void checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be positive and at most " + MAX_TIMEOUT + ", got "
                    + timeout);
        }
    }

    static TransportException of(Code code, String message) {
        return new TransportException(code, message);
    }

    /**
     * What the caller sees when a handler threw or failed its future: a {@link TransportException}
     * keeps its code and message, anything else becomes HANDLER_ERROR with the handler's message.
     */
    static TransportException fromHandler(String method, Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof TransportException te) {
            return new TransportException(te.code(), rawMessage(te), te);
        }
        String msg = c.getMessage() != null ? c.getMessage() : c.getClass().getName();
        return new TransportException(Code.HANDLER_ERROR, msg, c);
    }

    /** The message of {@code te} without the {@code CODE: } prefix that its getMessage adds. */
    static String rawMessage(TransportException te) {
        String m = te.getMessage();
        String prefix = te.code() + ": ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
    }
}
