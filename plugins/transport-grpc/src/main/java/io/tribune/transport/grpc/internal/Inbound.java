package io.tribune.transport.grpc.internal;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/** The server side: dispatches the two gRPC methods to the registered Tribune handlers. */
final class Inbound {
    private Inbound() {
    }

    /** How close to its deadline a cancelled stream counts as expired rather than cancelled. */
    private static final long DEADLINE_SLACK_MILLIS = 50;

    private static final ServerCall.Listener<byte[]> IGNORE = new ServerCall.Listener<>() { };

    /** The Tribune method of a call, or null after failing the call when the header is bad. */
    private static String method(ServerCall<byte[], byte[]> call, Metadata headers) {
        String method = headers.get(Wire.METHOD_KEY);
        if (!Wire.validMethod(method)) {
            Wire.close(call, new TransportException(Code.INTERNAL, "missing or malformed " + Wire.METHOD_HEADER
                    + " header"));
            return null;
        }
        return method;
    }

    private static CallContext context(GrpcTransport t, ServerCall<byte[], byte[]> call, String method,
                                       Deadline deadline) {
        long deadlineNanos = Long.MAX_VALUE;
        if (deadline != null) {
            long now = t.clockNanos();
            long remaining = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            deadlineNanos = remaining > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + remaining;
        }
        Optional<Endpoint> remote = Optional.empty();
        SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        if (addr instanceof InetSocketAddress isa) {
            remote = Optional.of(new Endpoint(isa.getHostString(), isa.getPort()));
        }
        return new CallContext(method, remote, peerIdentity(t, call), deadlineNanos);
    }

    /**
     * The subject of the caller's certificate in RFC 2253 form, when it was verified: the server
     * required a client certificate (verifyIncoming) and the handshake checked its chain against
     * the CA, or the connection would not exist. Without verifyIncoming the server asks for no
     * certificate, and even if one were sent it would be unchecked, so the identity is empty, as it
     * is for plaintext.
     */
    private static Optional<String> peerIdentity(GrpcTransport t, ServerCall<byte[], byte[]> call) {
        if (!t.verifiesClients()) {
            return Optional.empty();
        }
        SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (ssl == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = ssl.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                return Optional.of(leaf.getSubjectX500Principal().getName(X500Principal.RFC2253));
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException noClientCertificate) {
            return Optional.empty();
        }
    }

    /** Sends a handler's answer, or the failure, unless the call already ended. */
    private static void respond(GrpcTransport t, ServerCall<byte[], byte[]> call, String method, byte[] response,
                                Throwable error) {
        synchronized (call) {
            if (call.isCancelled()) {
                return;
            }
            if (error != null) {
                Wire.close(call, Wire.fromHandler(error));
            } else if (response == null) {
                Wire.close(call, new TransportException(Code.HANDLER_ERROR, "handler of '" + method
                        + "' completed with no response"));
            } else if (response.length > t.maxMessageBytes()) {
                Wire.close(call, new TransportException(Code.TOO_LARGE, "response of " + response.length
                        + " bytes to '" + method + "' exceeds the limit of " + t.maxMessageBytes() + " bytes"));
            } else {
                try {
                    call.sendHeaders(new Metadata());
                    call.sendMessage(response);
                    call.close(Status.OK, new Metadata());
                } catch (IllegalStateException alreadyClosed) {
                    // cancelled between the check and the send; nobody is waiting
                }
            }
        }
    }

    /** Serves {@link Wire#UNARY}. */
    static final class Unary implements ServerCallHandler<byte[], byte[]> {
        private final GrpcTransport t;

        Unary(GrpcTransport t) {
            this.t = t;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
            String method = method(call, headers);
            if (method == null) {
                return IGNORE;
            }
            CallContext ctx = context(t, call, method, Context.current().getDeadline());
            call.request(2); // the second request lets gRPC notice a client that sends two messages
            return new ServerCall.Listener<>() {
                private byte[] request;

                @Override
                public void onMessage(byte[] message) {
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    if (request == null) {
                        Wire.close(call, new TransportException(Code.INTERNAL, "call without a request message"));
                        return;
                    }
                    t.served.increment();
                    RequestHandler h = t.handlers.get(method);
                    if (h == null) {
                        Wire.close(call, new TransportException(Code.NO_HANDLER, "no handler for '" + method + "' on "
                                + t.localEndpoint()));
                        return;
                    }
                    CompletableFuture<byte[]> f;
                    try {
                        f = h.handle(ctx, request);
                    } catch (Throwable e) {
                        respond(t, call, method, null, e);
                        return;
                    }
                    if (f == null) {
                        respond(t, call, method, null, new TransportException(Code.HANDLER_ERROR, "handler of '"
                                + method + "' returned no future"));
                        return;
                    }
                    f.whenComplete((resp, err) -> respond(t, call, method, resp, err));
                }
            };
        }
    }

    /** Serves {@link Wire#STREAM} with manual flow control: one chunk requested per acknowledgement. */
    static final class Stream implements ServerCallHandler<byte[], byte[]> {
        private final GrpcTransport t;

        Stream(GrpcTransport t) {
            this.t = t;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
            String method = method(call, headers);
            if (method == null) {
                return IGNORE;
            }
            StreamHandler h = t.streamHandlers.get(method);
            if (h == null) {
                Wire.close(call, new TransportException(Code.NO_HANDLER, "no stream handler for '" + method + "' on "
                        + t.localEndpoint()));
                return IGNORE;
            }
            Deadline deadline = Context.current().getDeadline();
            StreamHandler.Receiver r;
            try {
                r = h.open(context(t, call, method, deadline));
            } catch (Throwable e) {
                Wire.close(call, Wire.fromHandler(e));
                return IGNORE;
            }
            if (r == null) {
                Wire.close(call, new TransportException(Code.HANDLER_ERROR, "stream handler of '" + method
                        + "' returned no receiver"));
                return IGNORE;
            }
            call.request(1);
            return new Receiving(t, call, method, r, deadline);
        }
    }

    /** One stream being received. {@link #ended} makes exactly one of onComplete/onError happen. */
    private static final class Receiving extends ServerCall.Listener<byte[]> {
        private final GrpcTransport t;
        private final ServerCall<byte[], byte[]> call;
        private final String method;
        private final StreamHandler.Receiver receiver;
        private final Deadline deadline;
        private final AtomicBoolean ended = new AtomicBoolean();

        Receiving(GrpcTransport t, ServerCall<byte[], byte[]> call, String method, StreamHandler.Receiver receiver,
                  Deadline deadline) {
            this.t = t;
            this.call = call;
            this.method = method;
            this.receiver = receiver;
            this.deadline = deadline;
        }

        @Override
        public void onMessage(byte[] chunk) {
            if (ended.get()) {
                return;
            }
            CompletableFuture<Void> ack;
            try {
                ack = receiver.onChunk(chunk);
            } catch (Throwable e) {
                fail(Wire.fromHandler(e));
                return;
            }
            if (ack == null) {
                call.request(1);
                return;
            }
            ack.whenComplete((v, err) -> {
                if (err != null) {
                    fail(Wire.fromHandler(err));
                } else {
                    call.request(1); // thread-safe; the next chunk is delivered through the call's executor
                }
            });
        }

        @Override
        public void onHalfClose() {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            CompletableFuture<byte[]> f;
            try {
                f = receiver.onComplete();
            } catch (Throwable e) {
                respond(t, call, method, null, e);
                return;
            }
            if (f == null) {
                respond(t, call, method, null, new TransportException(Code.HANDLER_ERROR, "receiver of '" + method
                        + "' returned no future"));
                return;
            }
            f.whenComplete((resp, err) -> respond(t, call, method, resp, err));
        }

        @Override
        public void onCancel() {
            if (ended.compareAndSet(false, true)) {
                // The caller's deadline timer fires first and sends a plain cancel; ours, set from the
                // timeout header on arrival, fires a little later. A cancel that arrives this close
                // to the deadline is the deadline.
                boolean expired = deadline != null
                        && deadline.timeRemaining(TimeUnit.MILLISECONDS) <= DEADLINE_SLACK_MILLIS;
                notifyError(new TransportException(expired ? Code.DEADLINE_EXCEEDED : Code.CANCELLED, "stream '"
                        + method + "' " + (expired ? "passed its deadline" : "was cancelled by the caller or its "
                        + "connection closed")));
            }
        }

        private void fail(TransportException e) {
            synchronized (call) {
                Wire.close(call, e);
            }
            if (ended.compareAndSet(false, true)) {
                notifyError(e);
            }
        }

        private void notifyError(TransportException e) {
            try {
                receiver.onError(e);
            } catch (RuntimeException ignored) {
                // the receiver failing while releasing resources changes nothing for the caller
            }
        }
    }
}
