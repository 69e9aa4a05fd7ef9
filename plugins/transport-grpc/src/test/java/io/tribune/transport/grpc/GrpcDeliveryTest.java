package io.tribune.transport.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.Poll;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TransportException#notDelivered()} of the gRPC transport on real loopback sockets: true
 * exactly when the request never went out on an HTTP/2 connection (refused, nothing listening, a
 * peer that accepts TCP but never completes the HTTP/2 handshake), false once it may have (the
 * peer's process dies while its handler holds the request).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcDeliveryTest {
    private static final Duration T = Duration.ofSeconds(10);

    private final RealScheduler scheduler = new RealScheduler("grpc-delivery");
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        scheduler.close();
    }

    private Transport started(String node, Map<String, String> config) {
        Endpoint bind = new Endpoint("127.0.0.1", 0);
        Transport t = new GrpcTransportFactory().create(new TransportSetup(bind, bind, 64 * 1024, Optional.empty()),
                PluginConfig.of(config), TestContext.builder(node).clock(scheduler).scheduler(scheduler).build());
        opened.add(t);
        t.start();
        return t;
    }

    private static TransportException failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            Object v = f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return assertInstanceOf(TransportException.class, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within 20 s");
        }
    }

    /** A loopback port that was just bound and released: connecting to it is refused. */
    private static int refusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void connectionRefusedIsNotDeliveredForCallsAndStreams() throws Exception {
        Transport client = started("client", Map.of());
        Endpoint nobody = new Endpoint("127.0.0.1", refusedPort());
        TransportException first = failure(client.call(nobody, "kv.apply", new byte[1], T));
        // the second call finds the pooled channel already in reconnect backoff and fails at once
        TransportException second = failure(client.call(nobody, "kv.apply", new byte[1], T));
        OutboundStream out = client.openStream(nobody, "snapshot", T);
        TransportException stream = failure(out.send(new byte[1]).thenCompose(v -> out.finish()));
        for (TransportException e : List.of(first, second, stream)) {
            assertEquals(Code.UNAVAILABLE, e.code(), e.getMessage());
            assertTrue(e.notDelivered(), "refused, so certainly not delivered: " + e.getMessage());
        }
    }

    @Test
    void peerThatAcceptsTcpButNeverSpeaksHttp2NeverGetsTheRequest() throws Exception {
        SilentPeer silent = new SilentPeer();
        opened.add(silent);
        Transport client = started("client", Map.of());
        // gRPC waits for the peer's HTTP/2 SETTINGS before it puts a stream on the connection
        TransportException expired = failure(client.call(silent.endpoint(), "kv.apply", new byte[1],
                Duration.ofMillis(500)));
        assertEquals(Code.DEADLINE_EXCEEDED, expired.code(), expired.getMessage());
        assertTrue(expired.notDelivered(), "the deadline passed while connecting: " + expired.getMessage());

        // the connection still waits for the peer's SETTINGS; the next call waits with it
        CompletableFuture<byte[]> pending = client.call(silent.endpoint(), "kv.apply", new byte[1], T);
        assertTrue(Poll.until(Duration.ofSeconds(20), () -> silent.accepted.get() == 1),
                "the client holds one TCP connection to the peer, still not ready");
        // the peer dies: its connections are reset and a reconnect is refused, whichever the call meets
        silent.close();
        TransportException reset = failure(pending);
        assertEquals(Code.UNAVAILABLE, reset.code(), reset.getMessage());
        assertTrue(reset.notDelivered(), "the connection died before it was ready: " + reset.getMessage());
    }

    @Test
    void serverKilledWhileItsHandlerHoldsTheRequestIsUnknown() throws Exception {
        Transport server = started("server", Map.of());
        CompletableFuture<byte[]> arrived = new CompletableFuture<>();
        server.register("kv.apply", (ctx, req) -> {
            arrived.complete(req);
            return new CompletableFuture<>(); // never answers: the process "dies" first
        });
        Relay relay = new Relay(server.localEndpoint());
        opened.add(relay);
        Transport client = started("client", Map.of());
        CompletableFuture<byte[]> call = client.call(relay.endpoint(), "kv.apply", new byte[] {42}, T);
        assertEquals(42, arrived.get(20, TimeUnit.SECONDS)[0], "the handler has the request");
        relay.kill();
        TransportException e = failure(call);
        assertEquals(Code.UNAVAILABLE, e.code(), e.getMessage());
        assertFalse(e.notDelivered(), "the handler had the request; the outcome is unknown: " + e.getMessage());
    }

    @Test
    void serverThatWentDownIsSoonRefusedAndNotDelivered() throws Exception {
        Transport server = started("leader", Map.of());
        AtomicInteger handled = new AtomicInteger();
        server.register("kv.apply", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        Transport client = started("follower", Map.of("transport-grpc.reconnect.max-backoff", "200ms"));
        Endpoint leader = server.localEndpoint();
        assertEquals(1, client.call(leader, "kv.apply", new byte[1], T).get(20, TimeUnit.SECONDS).length);
        server.close();
        // The first calls may still be put on the connection that is going away (unknown); once the
        // client has seen it close, every call is refused before it leaves.
        List<TransportException> seen = new CopyOnWriteArrayList<>();
        boolean refused = Poll.until(Duration.ofSeconds(20), () -> {
            try {
                TransportException e = failure(client.call(leader, "kv.apply", new byte[1], T));
                seen.add(e);
                return e.notDelivered();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        assertTrue(refused, () -> "none of " + seen.size() + " calls to the stopped server was reported as not "
                + "delivered; the last: " + seen.get(seen.size() - 1));
        assertTrue(seen.stream().allMatch(e -> e.code() == Code.UNAVAILABLE), () -> "codes: "
                + seen.stream().map(TransportException::code).distinct().toList());
        assertEquals(1, handled.get());
    }

    /** Accepts TCP connections on loopback and never writes a byte, like a hung process. */
    private static final class SilentPeer implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final AtomicInteger accepted = new AtomicInteger();

        SilentPeer() throws IOException {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        sockets.add(listener.accept());
                        accepted.incrementAndGet();
                    }
                } catch (IOException closed) {
                    // close() ends the loop
                }
            }, "silent-peer");
            t.setDaemon(true);
            t.start();
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", listener.getLocalPort());
        }

        /** Dies: stops listening and resets every accepted connection (RST), as for a killed process. */
        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                reset(s);
            }
        }
    }

    /**
     * A TCP relay on loopback in front of a server that can die like a killed process: {@link #kill}
     * resets every connection (RST) and stops listening, so the client sees its established
     * connection broken mid-call, not a graceful HTTP/2 shutdown.
     */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        Relay(Endpoint upstream) throws IOException {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket down = listener.accept();
                        Socket up = new Socket(upstream.host(), upstream.port());
                        sockets.add(down);
                        sockets.add(up);
                        pump(down, up);
                        pump(up, down);
                    }
                } catch (IOException closed) {
                    // kill() ends the loop
                }
            }, "relay-accept");
            t.setDaemon(true);
            t.start();
        }

        Endpoint endpoint() {
            return new Endpoint("127.0.0.1", listener.getLocalPort());
        }

        private static void pump(Socket from, Socket to) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16 * 1024];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException broken) {
                    // one side went away; kill() resets both
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }

        void kill() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                reset(s);
            }
        }

        @Override
        public void close() throws IOException {
            kill();
        }
    }

    /** Closes with SO_LINGER 0, which sends RST instead of FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException alreadyClosed) {
            // nothing left to reset
        }
    }
}
