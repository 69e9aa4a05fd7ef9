package io.tribune.transport.grpc;

import io.tribune.testkit.TestPki;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between gRPC transports, with certificates made at test time: who is accepted and who
 * is refused under Consul's verify_incoming / verify_outgoing / verify_server_hostname.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcTlsTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final String DC1 = "server.dc1.consul";

    @TempDir
    static Path dir;
    private static TestPki ca;
    private static TestPki rogue;
    private static TestPki.Leaf server;
    private static TestPki.Leaf client;
    private static TestPki.Leaf wrongName;
    private static TestPki.Leaf rogueClient;
    private static TestPki.Leaf rogueServer;

    private final RealScheduler scheduler = new RealScheduler("tls");
    private final List<Transport> opened = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() {
        ca = new TestPki(dir, "dc");
        rogue = new TestPki(dir, "rogue");
        server = ca.issue(DC1, DC1);
        client = ca.issue("client.dc1.consul", "client.dc1.consul");
        wrongName = ca.issue("server.dc2.consul", "server.dc2.consul");
        rogueClient = rogue.issue("client.dc1.consul", "client.dc1.consul");
        rogueServer = rogue.issue(DC1, DC1);
    }

    @AfterEach
    void closeAll() {
        opened.forEach(Transport::close);
        scheduler.close();
    }

    private static TransportSetup.Tls tls(Path caFile, TestPki.Leaf leaf, boolean in, boolean out, boolean host) {
        return new TransportSetup.Tls(caFile, leaf.certFile(), leaf.keyFile(), in, out, host, DC1);
    }

    private Transport transport(String node, TransportSetup.Tls tls) {
        Endpoint bind = new Endpoint("127.0.0.1", 0);
        Transport t = new GrpcTransportFactory().create(new TransportSetup(bind, bind, 64 * 1024, Optional.of(tls)),
                PluginConfig.empty(), TestContext.builder(node).clock(scheduler).scheduler(scheduler).build());
        opened.add(t);
        return t;
    }

    /** A started server that echoes and counts calls, remembering the last caller identity. */
    private Transport echoServer(TransportSetup.Tls tls, AtomicInteger calls, AtomicReference<CallContext> seen) {
        Transport s = transport("server", tls);
        s.register("echo", (ctx, req) -> {
            calls.incrementAndGet();
            seen.set(ctx);
            return CompletableFuture.completedFuture(req);
        });
        s.start();
        return s;
    }

    private static TransportException failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected failure");
        } catch (ExecutionException e) {
            return assertInstanceOf(TransportException.class, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no completion");
        }
    }

    @Test
    void mutualTlsCallSucceedsAndHandlerSeesTheClientIdentity() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<CallContext> seen = new AtomicReference<>();
        Transport s = echoServer(tls(ca.caFile, server, true, true, true), calls, seen);
        Transport c = transport("client", tls(ca.caFile, client, true, true, true));
        byte[] resp = c.call(s.localEndpoint(), "echo", "hi".getBytes(StandardCharsets.UTF_8), T)
                .get(20, TimeUnit.SECONDS);
        assertArrayEquals("hi".getBytes(StandardCharsets.UTF_8), resp);
        assertEquals(1, calls.get());
        assertEquals(Optional.of("CN=client.dc1.consul"), seen.get().peerIdentity());
    }

    /** The subject of a PEM certificate file in RFC 2253 form, read independently of the transport. */
    private static String subjectOf(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return cert.getSubjectX500Principal().getName(X500Principal.RFC2253);
        }
    }

    private Transport callOnly(String node, TransportSetup.Tls tls) {
        Transport t = new GrpcTransportFactory().create(TransportSetup.callOnly(new Endpoint("127.0.0.1", 0),
                64 * 1024, Optional.of(tls)), PluginConfig.empty(),
                TestContext.builder(node).clock(scheduler).scheduler(scheduler).build());
        opened.add(t);
        t.start();
        return t;
    }

    /** Registers a stream method that answers with the number of chunks, remembering the caller. */
    private static void countingStream(Transport s, AtomicReference<CallContext> seen) {
        s.registerStream("upload", ctx -> {
            seen.set(ctx);
            return new StreamHandler.Receiver() {
                private int chunks;

                @Override
                public CompletableFuture<Void> onChunk(byte[] chunk) {
                    chunks++;
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<byte[]> onComplete() {
                    return CompletableFuture.completedFuture(new byte[] {(byte) chunks});
                }

                @Override
                public void onError(Throwable cause) {
                }
            };
        });
    }

    @Test
    void peerIdentityIsTheVerifiedSubjectOfACallOnlyClientForCallsAndStreams() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<CallContext> seen = new AtomicReference<>();
        AtomicReference<CallContext> streamSeen = new AtomicReference<>();
        Transport s = echoServer(tls(ca.caFile, server, true, true, true), calls, seen);
        countingStream(s, streamSeen);
        // a client agent: it never listens, yet presents its certificate to a verify_incoming server
        Transport c = callOnly("client-agent", tls(ca.caFile, client, false, true, true));
        assertArrayEquals(new byte[] {4}, c.call(s.localEndpoint(), "echo", new byte[] {4}, T)
                .get(20, TimeUnit.SECONDS));
        OutboundStream out = c.openStream(s.localEndpoint(), "upload", T);
        out.send(new byte[1]).get(20, TimeUnit.SECONDS);
        out.send(new byte[1]).get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {2}, out.finish().get(20, TimeUnit.SECONDS));

        String expected = subjectOf(client.certFile());
        assertEquals("CN=client.dc1.consul", expected);
        assertEquals(Optional.of(expected), seen.get().peerIdentity());
        assertEquals(Optional.of(expected), streamSeen.get().peerIdentity());
    }

    @Test
    void noPeerIdentityWhenTheServerDoesNotVerifyIncoming() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<CallContext> seen = new AtomicReference<>();
        AtomicReference<CallContext> streamSeen = new AtomicReference<>();
        // TLS, but the server asks for no client certificate: whatever the client holds is unverified
        Transport s = echoServer(tls(ca.caFile, server, false, true, true), calls, seen);
        countingStream(s, streamSeen);
        Transport c = transport("client", tls(ca.caFile, client, true, true, true));
        assertEquals(1, c.call(s.localEndpoint(), "echo", new byte[1], T).get(20, TimeUnit.SECONDS).length);
        OutboundStream out = c.openStream(s.localEndpoint(), "upload", T);
        out.send(new byte[1]).get(20, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1}, out.finish().get(20, TimeUnit.SECONDS));
        assertEquals(Optional.empty(), seen.get().peerIdentity());
        assertEquals(Optional.empty(), streamSeen.get().peerIdentity());
    }

    @Test
    void callOnlyClientRefusesAServerFromAnotherCaWhenVerifyOutgoingIsOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(rogue.caFile, rogueServer, false, true, false), calls, new AtomicReference<>());
        Transport c = callOnly("client-agent", tls(ca.caFile, client, false, true, false));
        TransportException e = failure(c.call(s.localEndpoint(), "echo", new byte[1], T));
        assertEquals(Code.REFUSED, e.code(), e.toString());
        assertTrue(e.notDelivered(), "the handshake failed before any request was written: " + e);
        assertEquals(0, calls.get());
    }

    @Test
    void callOnlyClientAcceptsAnyServerWhenVerifyOutgoingIsOff() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(rogue.caFile, rogueServer, false, true, false), calls, new AtomicReference<>());
        Transport c = callOnly("client-agent", tls(ca.caFile, client, false, false, false));
        assertEquals(1, c.call(s.localEndpoint(), "echo", new byte[1], T).get(20, TimeUnit.SECONDS).length);
        assertEquals(1, calls.get());
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(ca.caFile, server, true, true, true), calls, new AtomicReference<>());
        // the intruder trusts our CA (so it accepts our server) but its own certificate is foreign
        Transport c = transport("intruder", tls(ca.caFile, rogueClient, true, true, true));
        TransportException e = failure(c.call(s.localEndpoint(), "echo", new byte[1], T));
        System.out.println("foreign client certificate: " + e);
        assertTrue(e.code() == Code.REFUSED || e.code() == Code.UNAVAILABLE, e.toString());
        assertEquals(0, calls.get(), "the handler must never see a call from a foreign certificate");
    }

    @Test
    void serverCertificateFromAnotherCaIsRefusedByTheClient() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(rogue.caFile, rogueServer, false, true, false), calls, new AtomicReference<>());
        Transport c = transport("client", tls(ca.caFile, client, true, true, false));
        TransportException e = failure(c.call(s.localEndpoint(), "echo", new byte[1], T));
        assertEquals(Code.REFUSED, e.code(), e.toString());
        assertTrue(e.notDelivered(), "the handshake failed before any request was written: " + e);
        assertEquals(0, calls.get());
    }

    @Test
    void wrongServerNameIsRefusedWhenVerifyServerHostnameIsOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(ca.caFile, wrongName, true, true, true), calls, new AtomicReference<>());
        Transport c = transport("client", tls(ca.caFile, client, true, true, true));
        TransportException e = failure(c.call(s.localEndpoint(), "echo", new byte[1], T));
        assertEquals(Code.REFUSED, e.code(), e.toString());
        assertTrue(e.getMessage().contains(DC1), e.getMessage());
        assertTrue(e.notDelivered(), "the handshake failed before any request was written: " + e);
        assertEquals(0, calls.get());
    }

    @Test
    void wrongServerNameIsAcceptedWhenOnlyVerifyOutgoingIsOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(ca.caFile, wrongName, true, true, false), calls, new AtomicReference<>());
        Transport c = transport("client", tls(ca.caFile, client, true, true, false));
        assertEquals(1, c.call(s.localEndpoint(), "echo", new byte[1], T).get(20, TimeUnit.SECONDS).length);
        assertEquals(1, calls.get());
    }

    @Test
    void plaintextClientCannotCallATlsServer() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Transport s = echoServer(tls(ca.caFile, server, true, true, true), calls, new AtomicReference<>());
        Transport plain = new GrpcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.empty(), TestContext.builder("plain").clock(scheduler).scheduler(scheduler).build());
        opened.add(plain);
        TransportException e = failure(plain.call(s.localEndpoint(), "echo", new byte[1], T));
        assertEquals(Code.UNAVAILABLE, e.code(), e.toString());
        assertEquals(0, calls.get());
    }

    @Test
    void unusableTlsFilesAreRejectedAtCreationNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope.pem");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> transport("x", new TransportSetup.Tls(missing, server.certFile(), server.keyFile(),
                        true, true, true, DC1)));
        assertTrue(e.getMessage().contains("nope.pem"), e.getMessage());

        Path garbage = dir.resolve("garbage-key.pem");
        Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        e = assertThrows(IllegalArgumentException.class, () -> transport("x", new TransportSetup.Tls(ca.caFile,
                server.certFile(), garbage, true, true, true, DC1)));
        assertTrue(e.getMessage().contains("garbage-key.pem"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> transport("x", new TransportSetup.Tls(garbage,
                server.certFile(), server.keyFile(), true, true, true, DC1)));
        assertTrue(e.getMessage().contains("garbage-key.pem"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> transport("x", new TransportSetup.Tls(ca.caFile,
                server.certFile(), server.keyFile(), true, true, true, "")));
        assertTrue(e.getMessage().contains("verify_server_hostname"), e.getMessage());
    }
}
