package io.tribune.transport.grpc.internal;

import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/**
 * The wire format and the failure mapping.
 *
 * <p>One generic gRPC service with two methods, both carrying opaque bytes: {@code Call} (unary)
 * and {@code Stream} (client streaming). The Tribune method name travels in the
 * {@value #METHOD_HEADER} request header, so no generated code is needed. A server that fails a
 * call on purpose sends the exact {@link Code} in the {@value #CODE_TRAILER} trailer; the client
 * trusts it over its own mapping of the gRPC status, which it uses for failures that the gRPC
 * library or the network produce.
 */
final class Wire {
    static final String SERVICE = "tribune.transport.v1.Transport";
    static final String METHOD_HEADER = "tribune-method";
    static final String CODE_TRAILER = "tribune-code";
    /** Longest method name accepted, in characters. */
    static final int MAX_METHOD_CHARS = 256;
    /** Longest failure message sent to a peer; longer ones are cut (a header, not a payload). */
    static final int MAX_ERROR_CHARS = 1024;
    /** Largest header block accepted: method name and error messages only. */
    static final int MAX_METADATA_BYTES = 16 * 1024;
    /** Longest timeout accepted: one day, far above any RPC or snapshot transfer. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    static final Metadata.Key<String> METHOD_KEY = Metadata.Key.of(METHOD_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CODE_KEY = Metadata.Key.of(CODE_TRAILER, Metadata.ASCII_STRING_MARSHALLER);

    static final MethodDescriptor.Marshaller<byte[]> BYTES = new BytesMarshaller();

    static final MethodDescriptor<byte[], byte[]> UNARY = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Call"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    static final MethodDescriptor<byte[], byte[]> STREAM = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Stream"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private Wire() {
    }

    /** Passes byte arrays through; gRPC has already bounded the size before {@link #parse}. */
    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                if (stream instanceof KnownLength k) {
                    byte[] out = new byte[k.available()];
                    int off = 0;
                    while (off < out.length) {
                        int n = stream.read(out, off, out.length - off);
                        if (n < 0) {
                            break;
                        }
                        off += n;
                    }
                    return off == out.length ? out : java.util.Arrays.copyOf(out, off);
                }
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("cannot read message: " + e.getMessage()).withCause(e)
                        .asRuntimeException();
            }
        }
    }

    // ---- argument checks -----------------------------------------------------------------------

    static void checkMethod(String method) {
        Objects.requireNonNull(method, "method");
        if (!validMethod(method)) {
            throw new IllegalArgumentException("method name must have 1.." + MAX_METHOD_CHARS
                    + " printable ASCII characters without spaces, got '" + cut(method, 80) + "'");
        }
    }

    static boolean validMethod(String method) {
        if (method == null || method.isEmpty() || method.length() > MAX_METHOD_CHARS) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static void checkTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("timeout must be positive and at most " + MAX_TIMEOUT + ", got "
                    + timeout);
        }
    }

    // ---- server side: failures to statuses -----------------------------------------------------

    /**
     * Ends a server call with {@code failure}, carrying its exact code in the trailer. Safe to call
     * on a call that is already closed or cancelled.
     */
    static void close(ServerCall<?, ?> call, TransportException failure) {
        Status status = statusOf(failure.code()).withDescription(cut(rawMessage(failure), MAX_ERROR_CHARS));
        Metadata trailers = new Metadata();
        trailers.put(CODE_KEY, failure.code().name());
        try {
            call.close(status, trailers);
        } catch (IllegalStateException alreadyClosed) {
            // the call ended first (cancelled or deadline); the caller already has its answer
        }
    }

    private static Status statusOf(Code code) {
        return switch (code) {
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case CANCELLED -> Status.CANCELLED;
            case TOO_LARGE, RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case NO_HANDLER -> Status.UNIMPLEMENTED;
            case HANDLER_ERROR -> Status.UNKNOWN;
            case REFUSED -> Status.PERMISSION_DENIED;
            case INTERNAL -> Status.INTERNAL;
        };
    }

    /**
     * What the caller sees when a handler threw or failed its future: a {@link TransportException}
     * keeps its code and message, anything else becomes HANDLER_ERROR with the handler's message.
     */
    static TransportException fromHandler(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof TransportException te) {
            return te;
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

    static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }

    // ---- client side: statuses to failures -----------------------------------------------------

    /**
     * Maps the status a client call ended with.
     *
     * @param cancelledLocally whether this side cancelled the call (then CANCELLED is ours; otherwise
     *                         the peer or its connection went away, which the caller must treat as
     *                         UNAVAILABLE)
     * @param what             names the call for messages, e.g. {@code 'raft.append' to 10.0.0.2:8300}
     * @param nothingSent      whether the call certainly wrote nothing to a connection (see
     *                         {@link SendWitness}); makes the failure
     *                         {@linkplain TransportException#notDelivered() not delivered}
     */
    static TransportException toTransport(Status status, Metadata trailers, boolean cancelledLocally, String what,
                                          boolean nothingSent) {
        TransportException mapped = map(status, trailers, cancelledLocally, what);
        if (!nothingSent) {
            return mapped;
        }
        return new TransportException(mapped.code(), rawMessage(mapped) + " (nothing was sent)", mapped.getCause(),
                true);
    }

    private static TransportException map(Status status, Metadata trailers, boolean cancelledLocally, String what) {
        String desc = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String sent = trailers == null ? null : trailers.get(CODE_KEY);
        if (sent != null) {
            for (Code c : Code.values()) {
                if (c.name().equals(sent)) {
                    return new TransportException(c, desc);
                }
            }
        }
        Throwable ssl = sslCause(status.getCause());
        if (ssl != null) {
            return new TransportException(Code.REFUSED, "TLS handshake for " + what + " failed: "
                    + ssl.getMessage(), status.asRuntimeException());
        }
        return switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> new TransportException(Code.DEADLINE_EXCEEDED, what + ": " + desc);
            case CANCELLED -> cancelledLocally
                    ? new TransportException(Code.CANCELLED, what + ": " + desc)
                    : new TransportException(Code.UNAVAILABLE, what + ": the peer or its connection ended the call ("
                    + desc + ")", status.asRuntimeException());
            case UNAVAILABLE -> new TransportException(Code.UNAVAILABLE, what + ": " + desc
                    + causeText(status.getCause()), status.asRuntimeException());
            // gRPC's own size check on either side ("gRPC message exceeds maximum size ...")
            case RESOURCE_EXHAUSTED -> desc.contains("exceeds maximum")
                    ? new TransportException(Code.TOO_LARGE, what + ": " + desc)
                    : new TransportException(Code.RESOURCE_EXHAUSTED, what + ": " + desc);
            case UNIMPLEMENTED -> new TransportException(Code.NO_HANDLER, what + ": " + desc);
            case UNAUTHENTICATED, PERMISSION_DENIED -> new TransportException(Code.REFUSED, what + ": " + desc);
            default -> new TransportException(Code.INTERNAL, what + ": " + status.getCode() + " " + desc
                    + causeText(status.getCause()), status.asRuntimeException());
        };
    }

    private static Throwable sslCause(Throwable t) {
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof SSLException || t instanceof java.security.cert.CertificateException) {
                return t;
            }
        }
        return null;
    }

    private static String causeText(Throwable t) {
        return t == null ? "" : " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
    }
}
