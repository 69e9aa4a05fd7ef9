package io.tribune.grpcapi.internal;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tribune.agent.local.CheckRunner;
import io.tribune.state.HealthStatus;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * The agent's gRPC health check ({@code "GRPC": "host:port[/service]"}, {@code "GRPCUseTLS"},
 * {@code "TLSSkipVerify"}): one
 * call of the standard {@code grpc.health.v1.Health/Check} method; {@code SERVING} is passing,
 * any other answer or error critical, as in Consul. Lives here, not in the agent, so that the
 * agent core stays free of gRPC; the agent finds it as a {@link CheckRunner} service.
 *
 * <p>The two health messages are tiny and fixed (request: {@code string service = 1}; response:
 * {@code ServingStatus status = 1}), so they are encoded by hand over a byte-array marshaller
 * rather than generated from the health proto, which this module does not otherwise need. Each
 * run opens its own channel and shuts it down, so nothing outlives a check.
 *
 * <p><b>TLS.</b> With {@code GRPCUseTLS} the call goes over TLS and the server's certificate is
 * verified against the JVM's default trust store and the target's host name; {@code TLSSkipVerify}
 * (Consul's field, default false) turns that verification off, for servers with self-signed
 * certificates. Without {@code GRPCUseTLS} the call is plaintext HTTP/2.
 */
public final class GrpcHealthCheckRunner implements CheckRunner {
    /** The standard health method (grpc/grpc doc/health-checking.md). */
    static final String METHOD = "grpc.health.v1.Health/Check";
    /** Largest health answer read; a real one is 2 bytes. */
    static final int MAX_RESPONSE_BYTES = 4096;
    static final String TLS_OPTION = "GRPCUseTLS";
    static final String SKIP_VERIFY_OPTION = "TLSSkipVerify";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readNBytes(MAX_RESPONSE_BYTES);
            } catch (IOException e) {
                throw Status.INTERNAL.withDescription("reading the health response: " + e).asRuntimeException();
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> CHECK = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(METHOD)
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    /** For {@link java.util.ServiceLoader}. */
    public GrpcHealthCheckRunner() {
    }

    @Override
    public String field() {
        return "GRPC";
    }

    @Override
    public Set<String> optionFields() {
        return Set.of(TLS_OPTION, SKIP_VERIFY_OPTION);
    }

    /** {@code host:port} and the service name (empty: the server as a whole). */
    record Target(String host, int port, String service) {
        static Target parse(String s) {
            int slash = s.indexOf('/');
            String hostPort = slash < 0 ? s : s.substring(0, slash);
            String service = slash < 0 ? "" : s.substring(slash + 1);
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("GRPC must be host:port or host:port/service");
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("GRPC must be host:port or host:port/service");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("GRPC port must be 1..65535");
            }
            if (service.length() > 1024) {
                throw new IllegalArgumentException("GRPC service name is longer than 1024 characters");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new Target(host, port, service);
        }
    }

    @Override
    public void validate(String target, Map<String, String> options) {
        Target.parse(target);
        flag(options, TLS_OPTION);
        flag(options, SKIP_VERIFY_OPTION);
    }

    private static boolean flag(Map<String, String> options, String name) {
        String v = options.getOrDefault(name, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
        }
        return v.equals("true");
    }

    /** The channel of one run: plaintext, or TLS verified unless {@code TLSSkipVerify}. */
    private static ManagedChannel channel(Target t, Map<String, String> options) throws SSLException {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress(t.host(), t.port())
                .maxInboundMessageSize(MAX_RESPONSE_BYTES);
        if (!flag(options, TLS_OPTION)) {
            return b.usePlaintext().build();
        }
        if (flag(options, SKIP_VERIFY_OPTION)) {
            return b.sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                    .build();
        }
        return b.useTransportSecurity().build();
    }

    @Override
    public CompletableFuture<Result> run(String target, Map<String, String> options, Duration timeout) {
        String what = "gRPC check " + target;
        Target t;
        ManagedChannel ch;
        try {
            t = Target.parse(target);
            ch = channel(t, options);
        } catch (SSLException | RuntimeException e) {
            // A check that cannot even build its channel is critical, with the reason, not a thrown error.
            return CompletableFuture.completedFuture(new Result(HealthStatus.CRITICAL, what + ": " + e.getMessage()));
        }
        CompletableFuture<Result> f = new CompletableFuture<>();
        try {
            call(ch, t.service(), timeout, what, f);
        } catch (RuntimeException e) {
            f.complete(new Result(HealthStatus.CRITICAL, what + ": " + e));
        }
        return f.whenComplete((r, e) -> ch.shutdownNow());
    }

    private static void call(ManagedChannel ch, String service, Duration timeout, String what,
                             CompletableFuture<Result> f) {
        ClientCalls.asyncUnaryCall(ch.newCall(CHECK, CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(),
                TimeUnit.MILLISECONDS)), encodeRequest(service), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        int status = decodeStatus(value);
                        f.complete(status == 1 ? new Result(HealthStatus.PASSING, what + ": success")
                                : new Result(HealthStatus.CRITICAL, what + ": " + statusName(status)));
                    }

                    @Override
                    public void onError(Throwable e) {
                        Status s = Status.fromThrowable(e);
                        // gRPC's description of a transport failure is often just "io exception"; the
                        // cause says what happened (connection refused, certificate not trusted).
                        Throwable cause = s.getCause();
                        f.complete(new Result(HealthStatus.CRITICAL, what + ": rpc error: code = " + s.getCode()
                                + (s.getDescription() == null ? "" : " desc = " + s.getDescription())
                                + (cause == null ? "" : " (" + rootMessage(cause) + ")")));
                    }

                    @Override
                    public void onCompleted() {
                        f.complete(new Result(HealthStatus.CRITICAL, what + ": no response message"));
                    }
                });
    }

    /** The innermost cause's class and message, e.g. {@code ConnectException: Connection refused}. */
    static String rootMessage(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c.getCause() != null && c.getCause() != c && depth < 16; depth++) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    /** {@code HealthCheckRequest{service}}: field 1, length-delimited. */
    static byte[] encodeRequest(String service) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!service.isEmpty()) {
            byte[] s = service.getBytes(StandardCharsets.UTF_8);
            out.write(0x0A);
            varint(out, s.length);
            out.writeBytes(s);
        }
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /**
     * The {@code status} (field 1, varint) of a {@code HealthCheckResponse}; 0 (UNKNOWN) when
     * absent, -1 when the bytes are not a well-formed message. Unknown fields are skipped, as
     * protobuf readers must.
     */
    static int decodeStatus(byte[] b) {
        int status = 0;
        int[] pos = {0};
        try {
            while (pos[0] < b.length) {
                long tag = readVarint(b, pos);
                int field = (int) (tag >>> 3);
                int wire = (int) (tag & 7);
                switch (wire) {
                    case 0 -> {
                        long v = readVarint(b, pos);
                        if (field == 1) {
                            status = (int) v;
                        }
                    }
                    case 1 -> pos[0] += 8;
                    case 2 -> {
                        // A length beyond the bytes left (or beyond int) is malformed, not a jump.
                        long len = readVarint(b, pos);
                        if (len < 0 || len > b.length - pos[0]) {
                            return -1;
                        }
                        pos[0] += (int) len;
                    }
                    case 5 -> pos[0] += 4;
                    default -> {
                        return -1;
                    }
                }
                if (pos[0] > b.length || pos[0] < 0) {
                    return -1;
                }
            }
        } catch (IndexOutOfBoundsException e) {
            return -1;
        }
        return status;
    }

    private static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b[pos[0]++];
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        throw new IndexOutOfBoundsException("varint longer than 10 bytes");
    }

    static String statusName(int status) {
        return switch (status) {
            case 0 -> "status UNKNOWN";
            case 1 -> "status SERVING";
            case 2 -> "status NOT_SERVING";
            case 3 -> "status SERVICE_UNKNOWN";
            case -1 -> "malformed health response";
            default -> "status " + status;
        };
    }
}
