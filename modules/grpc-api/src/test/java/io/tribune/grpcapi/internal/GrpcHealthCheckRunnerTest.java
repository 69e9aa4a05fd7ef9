package io.tribune.grpcapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tribune.agent.Agent;
import io.tribune.agent.local.CheckDefinitions;
import io.tribune.agent.local.CheckRunner;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.testkit.Poll;
import io.tribune.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's gRPC health check ({@link GrpcHealthCheckRunner}) against real grpc-java servers on
 * 127.0.0.1 (ephemeral ports): the standard {@code grpc.health.v1} service of grpc-services
 * ({@link HealthStatusManager}) in plaintext and over TLS, a server that never answers, one that
 * answers with hand-made bytes, and a port where nothing listens. The last test runs the check
 * through a dev agent, which finds the runner with ServiceLoader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcHealthCheckRunnerTest {
    /** Generous: a check against a live loopback server answers in milliseconds. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);
    private static final long WAIT_SECONDS = 30;
    private static final GrpcHealthCheckRunner RUNNER = new GrpcHealthCheckRunner();
    private static final HealthStatusManager HEALTH = new HealthStatusManager();
    private static final List<Server> servers = new ArrayList<>();
    /** Calls the silent server holds without answering; cancelled at the end. */
    private static final List<StreamObserver<byte[]>> held = new CopyOnWriteArrayList<>();
    /** Calls that reached the silent server. */
    private static final AtomicInteger silentCalls = new AtomicInteger();
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> CHECK = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(GrpcHealthCheckRunner.METHOD)
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    private static int plain;
    private static int tls;
    private static int silent;
    private static int scripted;
    private static volatile byte[] scriptedAnswer = new byte[0];
    @TempDir
    static Path pkiDir;

    @BeforeAll
    static void startServers() throws IOException {
        HEALTH.setStatus("web", ServingStatus.SERVING);
        HEALTH.setStatus("db", ServingStatus.NOT_SERVING);
        plain = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(HEALTH.getHealthService()));
        TestPki pki = new TestPki(pkiDir, "grpc-check");
        TestPki.Leaf leaf = pki.issue("health-server", "localhost");
        tls = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .useTransportSecurity(leaf.certFile().toFile(), leaf.keyFile().toFile())
                .addService(HEALTH.getHealthService()));
        silent = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerInterceptors.intercept(healthWith((req, obs) -> held.add(obs)), new ServerInterceptor() {
                    @Override
                    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                                       ServerCallHandler<Q, A> next) {
                        // Counted when the call's headers arrive, even if its deadline ends it before
                        // the request is handed to the (silent) handler.
                        silentCalls.incrementAndGet();
                        return next.startCall(call, headers);
                    }
                })));
        scripted = start(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(healthWith((req, obs) -> {
                    obs.onNext(scriptedAnswer);
                    obs.onCompleted();
                })));
    }

    private static ServerServiceDefinition healthWith(ServerCalls.UnaryMethod<byte[], byte[]> method) {
        return ServerServiceDefinition.builder("grpc.health.v1.Health")
                .addMethod(CHECK, ServerCalls.asyncUnaryCall(method)).build();
    }

    private static int start(NettyServerBuilder b) throws IOException {
        Server s = b.build().start();
        servers.add(s);
        return s.getPort();
    }

    @AfterAll
    static void stopServers() throws InterruptedException {
        for (StreamObserver<byte[]> o : held) {
            try {
                o.onCompleted();
            } catch (RuntimeException e) {
                // the client already gave up on it
            }
        }
        HEALTH.enterTerminalState();
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static CheckRunner.Result check(String target, Map<String, String> options, Duration timeout)
            throws Exception {
        return RUNNER.run(target, options, timeout).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static CheckRunner.Result check(String target) throws Exception {
        return check(target, Map.of(), CHECK_TIMEOUT);
    }

    @Test
    void servingServiceIsPassing() throws Exception {
        CheckRunner.Result r = check("127.0.0.1:" + plain + "/web");
        assertEquals(HealthStatus.PASSING, r.status(), r.output());
        assertEquals("gRPC check 127.0.0.1:" + plain + "/web: success", r.output());
        // Without a service name the server as a whole is asked ("" is SERVING in HealthStatusManager).
        assertEquals(HealthStatus.PASSING, check("127.0.0.1:" + plain).status());
        // A host name works as well as an address.
        assertEquals(HealthStatus.PASSING, check("localhost:" + plain + "/web").status());
    }

    @Test
    void notServingServiceIsCritical() throws Exception {
        CheckRunner.Result r = check("127.0.0.1:" + plain + "/db");
        assertEquals(HealthStatus.CRITICAL, r.status());
        assertTrue(r.output().endsWith("status NOT_SERVING"), r.output());
    }

    @Test
    void statusChangesAreSeenByTheNextRun() throws Exception {
        HEALTH.setStatus("flip", ServingStatus.SERVING);
        assertEquals(HealthStatus.PASSING, check("127.0.0.1:" + plain + "/flip").status());
        HEALTH.setStatus("flip", ServingStatus.NOT_SERVING);
        assertEquals(HealthStatus.CRITICAL, check("127.0.0.1:" + plain + "/flip").status());
        HEALTH.setStatus("flip", ServingStatus.SERVING);
        assertEquals(HealthStatus.PASSING, check("127.0.0.1:" + plain + "/flip").status());
    }

    @Test
    void unknownServiceNameIsCritical() throws Exception {
        CheckRunner.Result r = check("127.0.0.1:" + plain + "/no-such-service");
        assertEquals(HealthStatus.CRITICAL, r.status());
        // The standard service answers NOT_FOUND for a name it has no status for.
        assertTrue(r.output().contains("code = NOT_FOUND"), r.output());
    }

    @Test
    void nothingListeningIsCriticalWithAMessage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CheckRunner.Result r = check("127.0.0.1:" + port);
        assertEquals(HealthStatus.CRITICAL, r.status());
        assertTrue(r.output().startsWith("gRPC check 127.0.0.1:" + port + ": rpc error: code = UNAVAILABLE"),
                r.output());
        assertTrue(r.output().toLowerCase(java.util.Locale.ROOT).contains("connection refused"), r.output());
    }

    @Test
    void serverThatDoesNotAnswerWithinTheTimeoutIsCritical() throws Exception {
        int before = silentCalls.get();
        long start = System.nanoTime();
        // Each run dials a new connection: the deadline must leave time to connect on a loaded
        // machine, or it ends the check before the call exists (also critical, but not this case).
        // 3 s was too short on a 2-core machine under a load average of 30 (the call never arrived).
        CheckRunner.Result r = check("127.0.0.1:" + silent + "/web", Map.of(), Duration.ofSeconds(10));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(HealthStatus.CRITICAL, r.status());
        assertTrue(r.output().contains("code = DEADLINE_EXCEEDED"), r.output());
        // The call really reached the server, which held it: the deadline, not an error, ended it.
        assertTrue(Poll.until(Duration.ofSeconds(20), () -> silentCalls.get() > before),
                "the silent server never got the call");
        assertTrue(tookMillis >= 9900, "gave up after " + tookMillis + " ms, before the deadline");
    }

    @Test
    void answersOtherThanServingAreCritical() throws Exception {
        // status = 0 (UNKNOWN) written explicitly, and an empty message (UNKNOWN by default).
        scriptedAnswer = new byte[] {0x08, 0x00};
        assertTrue(check("127.0.0.1:" + scripted).output().endsWith("status UNKNOWN"));
        scriptedAnswer = new byte[0];
        assertEquals(HealthStatus.CRITICAL, check("127.0.0.1:" + scripted).status());
        // SERVICE_UNKNOWN (3) is what Watch sends for an unknown name; not passing either.
        scriptedAnswer = new byte[] {0x08, 0x03};
        CheckRunner.Result r = check("127.0.0.1:" + scripted);
        assertEquals(HealthStatus.CRITICAL, r.status());
        assertTrue(r.output().endsWith("status SERVICE_UNKNOWN"), r.output());
        // An unknown field before the status is skipped, as protobuf readers must.
        scriptedAnswer = new byte[] {0x12, 0x02, 'h', 'i', 0x08, 0x01};
        assertEquals(HealthStatus.PASSING, check("127.0.0.1:" + scripted).status());
        // A length that runs past the end is malformed, not a crash or a pass.
        scriptedAnswer = new byte[] {0x12, 0x7f, 0x08, 0x01};
        r = check("127.0.0.1:" + scripted);
        assertEquals(HealthStatus.CRITICAL, r.status());
        assertTrue(r.output().endsWith("malformed health response"), r.output());
    }

    @Test
    void tlsServerIsPassingWithVerificationSkippedAndCriticalOtherwise() throws Exception {
        String target = "127.0.0.1:" + tls + "/web";
        // The test CA is not in the JVM's trust store: verification fails, and the output says why.
        CheckRunner.Result verified = check(target, Map.of(GrpcHealthCheckRunner.TLS_OPTION, "true"), CHECK_TIMEOUT);
        assertEquals(HealthStatus.CRITICAL, verified.status());
        assertTrue(verified.output().contains("code = UNAVAILABLE"), verified.output());
        assertTrue(verified.output().contains("certification path"), verified.output());
        CheckRunner.Result skipped = check(target, Map.of(GrpcHealthCheckRunner.TLS_OPTION, "true",
                GrpcHealthCheckRunner.SKIP_VERIFY_OPTION, "true"), CHECK_TIMEOUT);
        assertEquals(HealthStatus.PASSING, skipped.status(), skipped.output());
        assertEquals(HealthStatus.CRITICAL, check("127.0.0.1:" + tls + "/db", Map.of(GrpcHealthCheckRunner.TLS_OPTION,
                "true", GrpcHealthCheckRunner.SKIP_VERIFY_OPTION, "true"), CHECK_TIMEOUT).status());
        // Plaintext HTTP/2 to a TLS port never gets an answer it can read.
        assertEquals(HealthStatus.CRITICAL, check(target, Map.of(), Duration.ofSeconds(2)).status());
        // TLS to a plaintext port fails the handshake.
        assertEquals(HealthStatus.CRITICAL, check("127.0.0.1:" + plain + "/web", Map.of(
                GrpcHealthCheckRunner.TLS_OPTION, "true", GrpcHealthCheckRunner.SKIP_VERIFY_OPTION, "true"),
                Duration.ofSeconds(2)).status());
    }

    @Test
    void lengthBeyondTheIntRangeIsMalformedNotAJump() {
        // Field 2 with length 2^32 + 2: truncated to int that is 2, which would skip "xx" and then read
        // status SERVING from bytes that are really inside the oversized field.
        byte[] b = {0x12, (byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x10, 'x', 'x', 0x08, 0x01};
        assertEquals(-1, GrpcHealthCheckRunner.decodeStatus(b));
        assertEquals(1, GrpcHealthCheckRunner.decodeStatus(new byte[] {0x12, 0x02, 'x', 'x', 0x08, 0x01}));
        assertEquals(2, GrpcHealthCheckRunner.decodeStatus(new byte[] {0x08, 0x02}));
        assertEquals(-1, GrpcHealthCheckRunner.decodeStatus(new byte[] {0x08}));
    }

    @Test
    void malformedDefinitionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RUNNER.validate("no-port", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> RUNNER.validate("host:0", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> RUNNER.validate("host:99999/x", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> RUNNER.validate("host:80",
                Map.of(GrpcHealthCheckRunner.TLS_OPTION, "yes")));
        assertThrows(IllegalArgumentException.class, () -> RUNNER.validate("host:80",
                Map.of(GrpcHealthCheckRunner.SKIP_VERIFY_OPTION, "1")));
        RUNNER.validate("[::1]:80/svc", Map.of(GrpcHealthCheckRunner.TLS_OPTION, "false"));
    }

    @Test
    void agentRunsARegisteredGrpcCheckAndFollowsTheServer() throws Exception {
        HEALTH.setStatus("agent-svc", ServingStatus.SERVING);
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"grpccheck\", "
                + "\"ports\": {\"http\": -1, \"dns\": -1, \"grpc\": -1, \"server\": 18458}}").getAsJsonObject(), "test")
                .build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load());
        Agent agent = Agent.start(cfg, registry, "embedded");
        try {
            // Consul's config spelling of the options works too (case and underscores ignored).
            String def = "{\"ID\": \"g\", \"Name\": \"grpc\", \"GRPC\": \"127.0.0.1:" + plain + "/agent-svc\","
                    + " \"grpc_use_tls\": false, \"Interval\": \"1s\", \"Timeout\": \"5s\"}";
            var check = CheckDefinitions.check(JsonIn.body(def.getBytes(StandardCharsets.UTF_8), false), "grpccheck",
                    false);
            assertTrue(agent.requests().call(new AgentOps.RegisterCheck(check)).get(30, TimeUnit.SECONDS).value());
            assertTrue(waitForStatus(agent, HealthStatus.PASSING), "the gRPC check never passed");
            HEALTH.setStatus("agent-svc", ServingStatus.NOT_SERVING);
            assertTrue(waitForStatus(agent, HealthStatus.CRITICAL), "the gRPC check never turned critical");
        } finally {
            agent.shutdown(false);
        }
    }

    /** Polls the agent's check "g" until its status is {@code status}, for at most 30 s. */
    private static boolean waitForStatus(Agent agent, HealthStatus status) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < end) {
            for (HealthCheck c : agent.requests().call(new AgentOps.LocalChecks()).get(10, TimeUnit.SECONDS).value()) {
                if (c.checkId().equals("g") && c.status() == status) {
                    assertEquals("grpc", c.type(), c.toString());
                    return true;
                }
            }
            Thread.sleep(50);
        }
        return false;
    }
}
