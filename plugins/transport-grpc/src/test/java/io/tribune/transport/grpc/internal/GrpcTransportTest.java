package io.tribune.transport.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ConnectivityState;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
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
import io.tribune.transport.grpc.GrpcTransportFactory;
import io.tribune.transport.grpc.GrpcTransportPlugin;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour of the gRPC transport beyond the conformance kit: pooling, reconnects, idle close, threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrpcTransportTest {
    private static final Duration T = Duration.ofSeconds(10);

    private final RealScheduler scheduler = new RealScheduler("grpc-unit");
    private final List<Transport> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(Transport::close);
        scheduler.close();
    }

    private Transport transport(String node, Endpoint bind, int maxBytes, Map<String, String> config) {
        Transport t = new GrpcTransportFactory().create(new TransportSetup(bind, bind, maxBytes, Optional.empty()),
                PluginConfig.of(config), TestContext.builder(node).clock(scheduler).scheduler(scheduler).build());
        opened.add(t);
        return t;
    }

    private Transport started(String node, int maxBytes, Map<String, String> config) {
        Transport t = transport(node, new Endpoint("127.0.0.1", 0), maxBytes, config);
        t.start();
        return t;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static TransportException failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("expected failure");
        } catch (ExecutionException e) {
            return assertInstanceOf(TransportException.class, e.getCause());
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            // re-checks a condition until a generous bound; the outcome never depends on this pause
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    void callsToOnePeerShareOneConnection() throws Exception {
        Transport server = started("server", 64 * 1024, Map.of());
        Set<Endpoint> remotes = ConcurrentHashMap.newKeySet();
        server.register("who", (ctx, req) -> {
            remotes.add(ctx.remote().orElseThrow());
            return CompletableFuture.completedFuture(new byte[0]);
        });
        Transport client = started("client", 64 * 1024, Map.of());
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(client.call(server.localEndpoint(), "who", new byte[0], T));
        }
        for (CompletableFuture<byte[]> c : calls) {
            get(c);
        }
        assertEquals(1, remotes.size(), "all calls must arrive over one connection: " + remotes);
        assertEquals("127.0.0.1", remotes.iterator().next().host());
    }

    @Test
    void plaintextCallsAndStreamsCarryNoPeerIdentity() throws Exception {
        Transport server = started("server", 64 * 1024, Map.of());
        CompletableFuture<CallContext> seen = new CompletableFuture<>();
        server.register("ctx", (ctx, req) -> {
            seen.complete(ctx);
            return CompletableFuture.completedFuture(new byte[0]);
        });
        CompletableFuture<CallContext> streamSeen = new CompletableFuture<>();
        server.registerStream("up", ctx -> {
            streamSeen.complete(ctx);
            return new StreamHandler.Receiver() {
                @Override
                public CompletableFuture<Void> onChunk(byte[] chunk) {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<byte[]> onComplete() {
                    return CompletableFuture.completedFuture(new byte[0]);
                }

                @Override
                public void onError(Throwable cause) {
                }
            };
        });
        Transport client = started("client", 64 * 1024, Map.of());
        get(client.call(server.localEndpoint(), "ctx", new byte[0], T));
        assertEquals(Optional.empty(), get(seen).peerIdentity());
        assertTrue(get(seen).remote().isPresent(), "the remote address is known even without TLS");
        OutboundStream out = client.openStream(server.localEndpoint(), "up", T);
        get(out.send(new byte[1]));
        get(out.finish());
        assertEquals(Optional.empty(), get(streamSeen).peerIdentity());
    }

    @Test
    void receiverWithASmallerLimitRefusesTheRequestAsTooLarge() throws Exception {
        Transport small = started("small", 64 * 1024, Map.of());
        small.register("m", (ctx, req) -> CompletableFuture.completedFuture(new byte[0]));
        Transport big = started("big", 1024 * 1024, Map.of());
        TransportException e = failure(big.call(small.localEndpoint(), "m", new byte[200 * 1024], T));
        assertEquals(Code.TOO_LARGE, e.code(), e.getMessage());
    }

    @Test
    void callerReconnectsWhenAPeerRestartsOnItsPort() throws Exception {
        reconnectsWhenAPeerRestarts(started("client", 64 * 1024, Map.of("transport-grpc.reconnect.max-backoff",
                "200ms")));
    }

    @Test
    void callOnlyCallerReconnectsWhenAPeerRestartsOnItsPort() throws Exception {
        reconnectsWhenAPeerRestarts(callOnly("client", new Endpoint("127.0.0.1", 0),
                Map.of("transport-grpc.reconnect.max-backoff", "200ms")));
    }

    private void reconnectsWhenAPeerRestarts(Transport client) throws Exception {
        Transport first = started("server", 64 * 1024, Map.of());
        first.register("v", (ctx, req) -> CompletableFuture.completedFuture(new byte[] {1}));
        Endpoint at = first.localEndpoint();
        assertArrayEquals(new byte[] {1}, get(client.call(at, "v", new byte[0], T)));
        first.close();
        assertEquals(Code.UNAVAILABLE, failure(client.call(at, "v", new byte[0], T)).code());
        Transport second = transport("server2", at, 64 * 1024, Map.of());
        second.register("v", (ctx, req) -> CompletableFuture.completedFuture(new byte[] {2}));
        second.start();
        // the pooled channel sits in reconnect backoff; within the configured cap it must reconnect
        waitFor("a call to reach the restarted peer", () -> {
            try {
                return client.call(at, "v", new byte[0], T).get(20, TimeUnit.SECONDS)[0] == 2;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void idleConnectionsAreClosedAndReopenedOnDemand() throws Exception {
        Transport server = started("server", 64 * 1024, Map.of());
        server.register("v", (ctx, req) -> CompletableFuture.completedFuture(new byte[] {7}));
        GrpcTransport client = (GrpcTransport) started("client", 64 * 1024,
                Map.of("transport-grpc.idle-timeout", "1s"));
        get(client.call(server.localEndpoint(), "v", new byte[0], T));
        io.grpc.ManagedChannel ch = client.channel(server.localEndpoint());
        assertEquals(ConnectivityState.READY, ch.getState(false));
        CompletableFuture<ConnectivityState> next = new CompletableFuture<>();
        ch.notifyWhenStateChanged(ConnectivityState.READY, () -> next.complete(ch.getState(false)));
        assertEquals(ConnectivityState.IDLE, get(next), "after idle-timeout the connection is closed");
        assertArrayEquals(new byte[] {7}, get(client.call(server.localEndpoint(), "v", new byte[0], T)));
    }

    @Test
    void closeStopsEveryThreadTheTransportStarted() throws Exception {
        Transport server = transport("threads-srv", new Endpoint("127.0.0.1", 0), 64 * 1024, Map.of());
        server.register("v", (ctx, req) -> CompletableFuture.completedFuture(new byte[0]));
        server.start();
        Transport client = transport("threads-cli", new Endpoint("127.0.0.1", 0), 64 * 1024, Map.of());
        get(client.call(server.localEndpoint(), "v", new byte[0], T));
        assertFalse(threadsNamed("tribune-grpc-threads-").isEmpty(), "the transports run threads");
        client.close();
        server.close();
        assertEquals(List.of(), threadsNamed("tribune-grpc-threads-"), "threads alive after close");
        // gRPC's shared timer ("grpc-timer", released a second after its last user) is the only
        // library thread left; its default executor is never started because we pass our own
        assertEquals(List.of(), threadsNamed("grpc-default-executor"));
    }

    /**
     * The real-socket half of the call-only contract: while a call-only transport is in use
     * (connected to a peer, its event loops running), nothing accepts connections on its port, and
     * it never starts the boss thread a server would accept on.
     */
    @Test
    void callOnlyTransportAcceptsNoConnectionOnItsPort() throws Exception {
        Transport server = started("server", 64 * 1024, Map.of());
        server.register("v", (ctx, req) -> CompletableFuture.completedFuture(new byte[] {9}));
        Set<Long> listenersBefore = listeningSocketInodes();
        int port = freePort();
        Transport caller = callOnly("listen-nowhere", new Endpoint("127.0.0.1", port), Map.of());
        assertArrayEquals(new byte[] {9}, get(caller.call(server.localEndpoint(), "v", new byte[0], T)));
        assertEquals(new Endpoint("127.0.0.1", port), caller.localEndpoint());

        try (Socket s = new Socket()) {
            assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress("127.0.0.1", port), 5000),
                    "something accepted a connection on the call-only transport's port " + port);
        }
        assertEquals(listenersBefore, listeningSocketInodes(), "the call-only transport opened a listening socket");
        List<String> threads = threadsNamed("tribune-grpc-listen-nowhere-");
        assertFalse(threads.isEmpty(), "the caller's event loop runs");
        assertTrue(threads.stream().noneMatch(n -> n.contains("-boss-")), "a call-only transport has no boss: "
                + threads);
        caller.close();
        assertEquals(List.of(), threadsNamed("tribune-grpc-listen-nowhere-"), "threads alive after close");
    }

    @Test
    void callOnlyStartTwiceAndAfterCloseBehaveAsForAServingTransport() {
        Transport caller = callOnly("x", new Endpoint("127.0.0.1", 0), Map.of());
        caller.start(); // idempotent
        caller.close();
        assertThrows(IllegalStateException.class, caller::start);
        assertTrue(new GrpcTransportFactory().supportsCallOnly());
    }

    private Transport callOnly(String node, Endpoint local, Map<String, String> config) {
        Transport t = new GrpcTransportFactory().create(TransportSetup.callOnly(local, 64 * 1024, Optional.empty()),
                PluginConfig.of(config), TestContext.builder(node).clock(scheduler).scheduler(scheduler).build());
        opened.add(t);
        t.start();
        return t;
    }

    /** A loopback port that was free a moment ago: bound by the OS and released at once. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The inodes of this process's TCP sockets in the LISTEN state, from Linux's /proc (empty
     * elsewhere, where the check reduces to the connect attempt).
     */
    private static Set<Long> listeningSocketInodes() throws IOException {
        Set<Long> listening = new java.util.TreeSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.isReadable(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) { // the first line names the columns
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A")) { // st 0A = TCP_LISTEN
                    listening.add(Long.parseLong(f[9]));
                }
            }
        }
        Set<Long> ours = new java.util.TreeSet<>();
        Path fds = Path.of("/proc/self/fd");
        if (Files.isDirectory(fds)) {
            try (var list = Files.list(fds)) {
                for (Path fd : (Iterable<Path>) list::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            long inode = Long.parseLong(target.substring(8, target.length() - 1));
                            if (listening.contains(inode)) {
                                ours.add(inode);
                            }
                        }
                    } catch (IOException closedMeanwhile) {
                        // a descriptor closed while listing is not a listener of ours
                    }
                }
            }
        }
        return ours;
    }

    private static List<String> threadsNamed(String prefix) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                out.add(t.getName());
            }
        }
        return out;
    }

    @Test
    void badConfigurationIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> transport("x",
                new Endpoint("127.0.0.1", 0), 64 * 1024, Map.of("transport-grpc.executor-threads", "0")));
        assertTrue(e.getMessage().contains("transport-grpc.executor-threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> transport("x", new Endpoint("127.0.0.1", 0),
                64 * 1024, Map.of("transport-grpc.idle-timeout", "soon")));
        assertTrue(e.getMessage().contains("transport-grpc.idle-timeout"), e.getMessage());
    }

    @Test
    void startAfterCloseIsRefused() {
        Transport t = transport("x", new Endpoint("127.0.0.1", 0), 64 * 1024, Map.of());
        t.close();
        assertThrows(IllegalStateException.class, t::start);
    }

    @Test
    void pluginDescribesItself() {
        GrpcTransportPlugin p = new GrpcTransportPlugin();
        assertEquals("transport-grpc", p.descriptor().name());
        assertEquals(Set.of(SpiKind.TRANSPORT), p.descriptor().provides());
        assertEquals("transport-grpc", p.transportFactories().get(0).name());
        assertNotEquals(0, p.descriptor().spiMajor());
    }
}
