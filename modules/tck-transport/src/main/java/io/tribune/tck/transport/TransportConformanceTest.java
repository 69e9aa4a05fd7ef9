package io.tribune.tck.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tribune.api.Capability;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.PluginDescriptors;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Transport}, as tests. A plugin binds it by extending this class and
 * implementing {@link #factory()}; the other hooks have defaults suited to a plaintext network
 * transport on 127.0.0.1.
 *
 * <p>Each test gets two started transports, {@link #client} and {@link #server}, created from
 * {@link #setup(String, int)} with a {@link #MAX_MESSAGE_BYTES} limit and contexts on one
 * {@link RealScheduler}; they are closed after the test. Waits are bounded by {@link #WAIT}; no test
 * asserts a duration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformanceTest {
    /** The message size limit of the transports under test: small enough to keep tests fast. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** The longest a test waits for something that must happen. */
    public static final Duration WAIT = Duration.ofSeconds(20);
    /** A timeout for calls that must succeed. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    /** Size of the chunks of the backpressure test. */
    public static final int CHUNK_BYTES = 16 * 1024;

    /** The client side of each test; started. */
    protected Transport client;
    /** The server side of each test; started. */
    protected Transport server;

    private RealScheduler scheduler;
    private final List<Transport> created = new ArrayList<>();
    private final java.util.Map<String, PluginContext> contexts = new java.util.concurrent.ConcurrentHashMap<>();

    /** Creates the suite; called by JUnit through the binding's constructor. */
    protected TransportConformanceTest() {
    }

    /** The factory under test. */
    protected abstract TransportFactory factory();

    /** The plugin configuration for every transport of a test; empty by default. */
    protected PluginConfig config() {
        return PluginConfig.empty();
    }

    /**
     * The setup of one transport: by default plaintext on 127.0.0.1 port 0 with the given limit.
     * TLS bindings return a setup carrying their certificates.
     */
    protected TransportSetup setup(String node, int maxMessageBytes) {
        Endpoint bind = new Endpoint("127.0.0.1", 0);
        return new TransportSetup(bind, bind, maxMessageBytes, Optional.empty());
    }

    /** The context of one transport: by default a {@link TestContext} on the test's real scheduler. */
    protected PluginContext context(String node, RealScheduler realScheduler) {
        return TestContext.builder(node).clock(realScheduler).scheduler(realScheduler).build();
    }

    /**
     * An endpoint nothing listens on. By default a loopback port that was just bound and released,
     * which a network transport must report as unreachable.
     */
    protected Endpoint unreachableEndpoint() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new Endpoint("127.0.0.1", s.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many {@link #CHUNK_BYTES} chunks a sender may get accepted while the receiver has not
     * acknowledged the first one: the transport's buffering (e.g. an HTTP/2 flow-control window),
     * in chunks. 256 chunks are 4 MiB.
     */
    protected int maxChunksAcceptedWhileReceiverStalls() {
        return 256;
    }

    /** Creates, starts and remembers (for closing) a transport. */
    protected Transport startTransport(String node, int maxMessageBytes) {
        Transport t = createTransport(node, setup(node, maxMessageBytes));
        t.start();
        return t;
    }

    /** Creates and remembers (for closing) a transport with the given setup, not started. */
    protected Transport createTransport(String node, TransportSetup setup) {
        PluginContext ctx = context(node, scheduler);
        contexts.put(node, ctx);
        Transport t = factory().create(setup, config(), ctx);
        created.add(t);
        return t;
    }

    /** Starts the two transports of the test. */
    @BeforeEach
    public void startTransports() {
        scheduler = new RealScheduler("tck");
        server = startTransport("server", MAX_MESSAGE_BYTES);
        client = startTransport("client", MAX_MESSAGE_BYTES);
    }

    /** Closes every transport the test created, then the scheduler. */
    @AfterEach
    public void closeTransports() {
        for (Transport t : created) {
            t.close();
        }
        scheduler.close();
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** Waits for a future that must succeed. */
    protected static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Waits for a future that must fail with a {@link TransportException}, and returns it. */
    protected static TransportException failure(CompletableFuture<?> f) {
        try {
            Object v = f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a TransportException, got success: " + v);
        } catch (ExecutionException e) {
            return assertInstanceOf(TransportException.class, e.getCause(), "failure type");
        } catch (TimeoutException e) {
            throw new AssertionError("no completion within " + WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** Asserts that {@code f} fails with {@code code} and returns the exception. */
    protected static TransportException assertFails(Code code, CompletableFuture<?> f) {
        TransportException e = failure(f);
        assertEquals(code, e.code(), () -> "wrong code, message: " + e.getMessage());
        return e;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /**
     * Opens the connection to the server with one call, so that connection set-up (a TLS handshake
     * on a loaded machine) does not eat into the short timeouts of the test that follows.
     */
    private void warmUp() {
        server.register("tck.warm-up", (ctx, req) -> CompletableFuture.completedFuture(req));
        await(client.call(server.localEndpoint(), "tck.warm-up", new byte[1], CALL_TIMEOUT));
    }

    private void echo(String method) {
        server.register(method, (ctx, req) -> CompletableFuture.completedFuture(req));
    }

    // ---- unary ------------------------------------------------------------------------------

    /** A unary call returns the handler's response. */
    @Test
    public void unaryEchoReturnsTheResponse() {
        echo("echo");
        assertArrayEquals(utf8("hello"), await(client.call(server.localEndpoint(), "echo", utf8("hello"),
                CALL_TIMEOUT)));
    }

    /** Empty requests and responses are legal messages. */
    @Test
    public void emptyMessagesAreDelivered() {
        echo("echo");
        assertEquals(0, await(client.call(server.localEndpoint(), "echo", new byte[0], CALL_TIMEOUT)).length);
    }

    /** The handler learns the method and a deadline in the future, within the caller's timeout. */
    @Test
    public void handlerSeesMethodAndDeadline() {
        CompletableFuture<long[]> seen = new CompletableFuture<>();
        CompletableFuture<String> method = new CompletableFuture<>();
        // the deadline is on the serving transport's clock
        io.tribune.api.Clock serverClock = contexts.get("server").clock();
        server.register("ctx", (CallContext ctx, byte[] req) -> {
            long now = serverClock.nanos();
            seen.complete(new long[] {now, ctx.deadlineNanos()});
            method.complete(ctx.method());
            return CompletableFuture.completedFuture(new byte[0]);
        });
        Duration timeout = Duration.ofSeconds(10);
        await(client.call(server.localEndpoint(), "ctx", new byte[0], timeout));
        long[] t = await(seen);
        assertEquals("ctx", await(method));
        assertTrue(t[1] > t[0], "deadline must lie in the future when the handler runs");
        assertTrue(t[1] - t[0] <= timeout.toNanos(), "deadline must not exceed the caller's timeout");
    }

    /** Messages of exactly the limit pass in both directions. */
    @Test
    public void payloadAtTheLimitIsDelivered() {
        byte[] big = pattern(MAX_MESSAGE_BYTES, 3);
        server.register("big", (ctx, req) -> CompletableFuture.completedFuture(pattern(req.length, 5)));
        byte[] resp = await(client.call(server.localEndpoint(), "big", big, CALL_TIMEOUT));
        assertArrayEquals(pattern(MAX_MESSAGE_BYTES, 5), resp);
    }

    /** A request over the limit fails TOO_LARGE and never reaches the handler. */
    @Test
    public void requestOverTheLimitFailsTooLargeWithoutSending() {
        AtomicInteger handled = new AtomicInteger();
        server.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(new byte[0]);
        });
        assertFails(Code.TOO_LARGE, client.call(server.localEndpoint(), "m", new byte[MAX_MESSAGE_BYTES + 1],
                CALL_TIMEOUT));
        // a later call on the same connection still works, and is the only one handled
        await(client.call(server.localEndpoint(), "m", new byte[1], CALL_TIMEOUT));
        assertEquals(1, handled.get());
    }

    /** A response over the limit fails TOO_LARGE. */
    @Test
    public void responseOverTheLimitFailsTooLarge() {
        server.register("huge", (ctx, req) -> CompletableFuture.completedFuture(new byte[MAX_MESSAGE_BYTES + 1]));
        assertFails(Code.TOO_LARGE, client.call(server.localEndpoint(), "huge", new byte[1], CALL_TIMEOUT));
    }

    /** A handler that never answers makes the call fail DEADLINE_EXCEEDED. */
    @Test
    public void slowHandlerFailsWithDeadlineExceeded() {
        warmUp();
        server.register("never", (ctx, req) -> new CompletableFuture<>());
        assertFails(Code.DEADLINE_EXCEEDED, client.call(server.localEndpoint(), "never", new byte[1],
                Duration.ofMillis(200)));
    }

    /** A handler that throws makes the caller see HANDLER_ERROR with the handler's message. */
    @Test
    public void handlerExceptionIsHandlerErrorWithItsMessage() {
        server.register("boom", (ctx, req) -> {
            throw new IllegalStateException("the disk is on fire");
        });
        TransportException e = assertFails(Code.HANDLER_ERROR, client.call(server.localEndpoint(), "boom",
                new byte[1], CALL_TIMEOUT));
        assertTrue(e.getMessage().contains("the disk is on fire"), e.getMessage());
    }

    /** A handler whose future fails is reported like one that throws. */
    @Test
    public void failedHandlerFutureIsHandlerError() {
        server.register("fail", (ctx, req) -> CompletableFuture.failedFuture(new RuntimeException("no quorum")));
        TransportException e = assertFails(Code.HANDLER_ERROR, client.call(server.localEndpoint(), "fail",
                new byte[1], CALL_TIMEOUT));
        assertTrue(e.getMessage().contains("no quorum"), e.getMessage());
    }

    /** A TransportException thrown by a handler keeps its code and message. */
    @Test
    public void transportExceptionFromHandlerKeepsItsCode() {
        server.register("shed", (ctx, req) -> {
            throw new TransportException(Code.RESOURCE_EXHAUSTED, "queue full");
        });
        TransportException e = assertFails(Code.RESOURCE_EXHAUSTED, client.call(server.localEndpoint(), "shed",
                new byte[1], CALL_TIMEOUT));
        assertTrue(e.getMessage().contains("queue full"), e.getMessage());
    }

    /** A method nobody registered fails NO_HANDLER. */
    @Test
    public void missingHandlerIsNoHandler() {
        assertFails(Code.NO_HANDLER, client.call(server.localEndpoint(), "nobody.home", new byte[1], CALL_TIMEOUT));
    }

    /** A registration replaces an earlier one of the same name. */
    @Test
    public void registerReplacesTheEarlierHandler() {
        server.register("v", (ctx, req) -> CompletableFuture.completedFuture(utf8("one")));
        server.register("v", (ctx, req) -> CompletableFuture.completedFuture(utf8("two")));
        assertArrayEquals(utf8("two"), await(client.call(server.localEndpoint(), "v", new byte[0], CALL_TIMEOUT)));
    }

    /** A peer nobody listens on fails UNAVAILABLE. */
    @Test
    public void unreachablePeerIsUnavailable() {
        assertFails(Code.UNAVAILABLE, client.call(unreachableEndpoint(), "m", new byte[1], CALL_TIMEOUT));
    }

    /** A peer that was closed fails UNAVAILABLE. */
    @Test
    public void closedPeerIsUnavailable() {
        echo("echo");
        Endpoint target = server.localEndpoint();
        await(client.call(target, "echo", new byte[1], CALL_TIMEOUT)); // a pooled connection exists
        server.close();
        assertFails(Code.UNAVAILABLE, client.call(target, "echo", new byte[1], CALL_TIMEOUT));
    }

    /** A call in progress fails UNAVAILABLE when the peer serving it closes. */
    @Test
    public void peerClosingDuringACallFailsItUnavailable() {
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        server.register("never", (ctx, req) -> {
            arrived.complete(null);
            return new CompletableFuture<>();
        });
        CompletableFuture<byte[]> f = client.call(server.localEndpoint(), "never", new byte[1], CALL_TIMEOUT);
        await(arrived);
        server.close();
        assertFails(Code.UNAVAILABLE, f);
    }

    /** 1,000 calls in flight at once are all answered, each with its own response. */
    @Test
    public void thousandConcurrentCallsAreAllAnsweredCorrectly() {
        int n = 1000;
        ConcurrentLinkedQueue<Runnable> held = new ConcurrentLinkedQueue<>();
        AtomicInteger arrived = new AtomicInteger();
        server.register("hold", (ctx, req) -> {
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            held.add(() -> f.complete(ByteBuffer.allocate(8).putInt(ByteBuffer.wrap(req).getInt() * 2)
                    .putInt(0x5eed).array()));
            // answer only when all n are in flight together
            if (arrived.incrementAndGet() == n) {
                held.forEach(Runnable::run);
            }
            return f;
        });
        List<CompletableFuture<byte[]>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(client.call(server.localEndpoint(), "hold", ByteBuffer.allocate(4).putInt(i).array(),
                    CALL_TIMEOUT));
        }
        for (int i = 0; i < n; i++) {
            ByteBuffer r = ByteBuffer.wrap(await(calls.get(i)));
            assertEquals(i * 2, r.getInt(), "response of call " + i);
            assertEquals(0x5eed, r.getInt());
        }
        assertEquals(n, arrived.get());
    }

    // ---- client streams ---------------------------------------------------------------------

    /** Collects a stream; acknowledges chunks at once unless {@link #holdFirst} is set. */
    private static final class Collector implements StreamHandler.Receiver {
        final List<byte[]> chunks = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        final CompletableFuture<Void> firstChunk = new CompletableFuture<>();
        final CompletableFuture<Void> firstAck = new CompletableFuture<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        volatile boolean holdFirst;

        @Override
        public CompletableFuture<Void> onChunk(byte[] chunk) {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            chunks.add(chunk);
            firstChunk.complete(null);
            concurrent.decrementAndGet();
            return holdFirst && chunks.size() == 1 ? firstAck : CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<byte[]> onComplete() {
            ByteBuffer b = ByteBuffer.allocate(8);
            long sum = 0;
            synchronized (chunks) {
                for (byte[] c : chunks) {
                    sum = sum * 31 + ByteBuffer.wrap(c).getInt();
                }
                b.putInt(chunks.size());
            }
            b.putInt((int) sum);
            return CompletableFuture.completedFuture(b.array());
        }

        @Override
        public void onError(Throwable cause) {
            error.complete(cause);
        }
    }

    private static byte[] numbered(int i, int size) {
        return ByteBuffer.allocate(Math.max(4, size)).putInt(i).array();
    }

    private static int expectedSum(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum = sum * 31 + i;
        }
        return (int) sum;
    }

    private static void sendAll(OutboundStream out, int from, int to, int size) {
        for (int i = from; i < to; i++) {
            await(out.send(numbered(i, size)));
        }
    }

    /** Chunks arrive in the order sent, one callback at a time, and the handler's answer comes back. */
    @Test
    public void clientStreamArrivesInOrder() {
        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        sendAll(out, 0, 200, 1024);
        ByteBuffer r = ByteBuffer.wrap(await(out.finish()));
        assertEquals(200, r.getInt());
        assertEquals(expectedSum(200), r.getInt());
        assertEquals(1, c.maxConcurrent.get(), "onChunk must never run concurrently for one stream");
        assertFalse(c.error.isDone());
    }

    /** A chunk of exactly the limit passes; one byte more fails TOO_LARGE. */
    @Test
    public void streamChunkLimits() {
        server.registerStream("upload", ctx -> new Collector());
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        await(out.send(numbered(0, MAX_MESSAGE_BYTES)));
        assertFails(Code.TOO_LARGE, out.send(new byte[MAX_MESSAGE_BYTES + 1]));
        OutboundStream other = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        await(other.send(numbered(0, 8)));
        assertEquals(1, ByteBuffer.wrap(await(other.finish())).getInt());
        out.cancel("test done");
    }

    /**
     * While the receiver holds its first acknowledgement, the sender is throttled after a bounded
     * number of chunks; once released, every chunk arrives in order.
     */
    @Test
    public void stalledReceiverThrottlesTheSender() throws Exception {
        Collector c = new Collector();
        c.holdFirst = true;
        server.registerStream("upload", ctx -> c);
        warmUp();
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        int limit = maxChunksAcceptedWhileReceiverStalls();
        int accepted = 0;
        CompletableFuture<Void> blocked = null;
        for (int i = 0; i <= limit; i++) {
            CompletableFuture<Void> s = out.send(numbered(i, CHUNK_BYTES));
            try {
                // a send that stays pending this long is being held back by flow control
                s.get(500, TimeUnit.MILLISECONDS);
                accepted++;
            } catch (TimeoutException e) {
                blocked = s;
                break;
            }
        }
        assertNotNull(blocked, "the sender was never throttled after " + accepted + " chunks");
        System.out.println(getClass().getSimpleName() + ": sender throttled after " + accepted + " chunks of "
                + CHUNK_BYTES + " bytes accepted while the receiver stalled");
        await(c.firstChunk);
        assertEquals(1, c.chunks.size(), "the transport must not deliver a chunk before the previous is acknowledged");
        c.firstAck.complete(null);
        await(blocked);
        int sent = accepted + 1;
        sendAll(out, sent, sent + 10, CHUNK_BYTES);
        ByteBuffer r = ByteBuffer.wrap(await(out.finish()));
        assertEquals(sent + 10, r.getInt());
        assertEquals(expectedSum(sent + 10), r.getInt());
    }

    /** The receiver sees onError when the sender cancels, and the sender's futures fail CANCELLED. */
    @Test
    public void streamCancelIsSeenByTheReceiver() {
        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        await(out.send(numbered(0, 8)));
        await(c.firstChunk);
        out.cancel("no longer needed");
        assertEquals(Code.CANCELLED, assertInstanceOf(TransportException.class, await(c.error)).code());
        assertFails(Code.CANCELLED, out.finish());
    }

    /** A stream that outlives its timeout fails DEADLINE_EXCEEDED and the receiver is told. */
    @Test
    public void streamDeadlineFailsBothEnds() {
        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        warmUp();
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", Duration.ofSeconds(1));
        // not awaited: on a slow machine the deadline may pass before the chunk is accepted
        out.send(numbered(0, 8));
        // finish only after the deadline, or the receiver would answer first
        Code seen = assertInstanceOf(TransportException.class, await(c.error)).code();
        // a network receiver may learn of the expiry as the caller's cancel arriving just before its own timer
        assertTrue(seen == Code.DEADLINE_EXCEEDED || seen == Code.CANCELLED, "receiver saw " + seen);
        assertFails(Code.DEADLINE_EXCEEDED, out.finish());
    }

    /** A stream method nobody registered fails NO_HANDLER. */
    @Test
    public void streamWithoutHandlerIsNoHandler() {
        OutboundStream out = client.openStream(server.localEndpoint(), "nobody.home", CALL_TIMEOUT);
        assertFails(Code.NO_HANDLER, out.finish());
    }

    /** A stream to a peer nobody listens on fails UNAVAILABLE. */
    @Test
    public void streamToUnreachablePeerIsUnavailable() {
        OutboundStream out = client.openStream(unreachableEndpoint(), "upload", CALL_TIMEOUT);
        CompletableFuture<Void> s = out.send(numbered(0, 8));
        TransportException e = failure(s.thenCompose(v -> out.finish()));
        assertEquals(Code.UNAVAILABLE, e.code(), e.getMessage());
    }

    /** A receiver whose answer fails makes the sender see HANDLER_ERROR with its message. */
    @Test
    public void receiverFailureIsHandlerError() {
        server.registerStream("bad", ctx -> new StreamHandler.Receiver() {
            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                return CompletableFuture.failedFuture(new IllegalArgumentException("corrupt snapshot"));
            }

            @Override
            public void onError(Throwable cause) {
            }
        });
        OutboundStream out = client.openStream(server.localEndpoint(), "bad", CALL_TIMEOUT);
        await(out.send(numbered(0, 8)));
        TransportException e = assertFails(Code.HANDLER_ERROR, out.finish());
        assertTrue(e.getMessage().contains("corrupt snapshot"), e.getMessage());
    }

    // ---- lifecycle --------------------------------------------------------------------------

    /** Closing a transport fails its calls and streams in flight with CANCELLED; the receiver is told. */
    @Test
    public void closeFailsInFlightCallsWithCancelled() {
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        server.register("never", (ctx, req) -> {
            arrived.complete(null);
            return new CompletableFuture<>();
        });
        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        CompletableFuture<byte[]> call = client.call(server.localEndpoint(), "never", new byte[1], CALL_TIMEOUT);
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        await(out.send(numbered(0, 8)));
        await(arrived);
        await(c.firstChunk);
        client.close();
        assertFails(Code.CANCELLED, call);
        assertFails(Code.CANCELLED, out.finish());
        assertInstanceOf(TransportException.class, await(c.error));
    }

    /** After close, calls and streams fail CANCELLED at once; close is idempotent. */
    @Test
    public void callsAfterCloseFailCancelled() {
        echo("echo");
        client.close();
        client.close();
        assertFails(Code.CANCELLED, client.call(server.localEndpoint(), "echo", new byte[1], CALL_TIMEOUT));
        assertFails(Code.CANCELLED, client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT).finish());
    }

    /** A started transport reports the port it actually bound. */
    @Test
    public void localEndpointHasTheBoundPort() {
        assertNotEquals(0, server.localEndpoint().port());
        assertNotEquals(server.localEndpoint(), client.localEndpoint());
    }

    /** Starting on an endpoint in use fails UNAVAILABLE and leaves the owner serving. */
    @Test
    public void startOnATakenEndpointIsUnavailable() {
        echo("echo");
        TransportSetup s = setup("dup", MAX_MESSAGE_BYTES);
        Transport dup = createTransport("dup", new TransportSetup(server.localEndpoint(), server.localEndpoint(),
                s.maxMessageBytes(), s.tls()));
        TransportException e = assertThrows(TransportException.class, dup::start);
        assertEquals(Code.UNAVAILABLE, e.code());
        assertArrayEquals(utf8("still"), await(client.call(server.localEndpoint(), "echo", utf8("still"),
                CALL_TIMEOUT)));
    }

    /** Malformed arguments are refused with a clear exception before anything is sent. */
    @Test
    public void badArgumentsAreRefused() {
        Endpoint t = server.localEndpoint();
        assertThrows(IllegalArgumentException.class, () -> client.call(t, "", new byte[1], CALL_TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> client.call(t, "m", new byte[1], Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> client.call(t, "m", new byte[1], Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> client.openStream(t, "", CALL_TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> server.register("", (ctx, req) -> null));
        assertThrows(NullPointerException.class, () -> client.call(t, "m", null, CALL_TIMEOUT));
        assertThrows(NullPointerException.class, () -> client.call(null, "m", new byte[1], CALL_TIMEOUT));
    }

    /** A handler's exception never leaves the transport unusable: the next call works. */
    @Test
    public void transportKeepsServingAfterFailures() {
        AtomicLong calls = new AtomicLong();
        server.register("flaky", (ctx, req) -> {
            if (calls.incrementAndGet() % 2 == 1) {
                throw new IllegalStateException("odd");
            }
            return CompletableFuture.completedFuture(req);
        });
        List<Code> codes = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {
            CompletableFuture<byte[]> f = client.call(server.localEndpoint(), "flaky", utf8("x"), CALL_TIMEOUT);
            try {
                assertArrayEquals(utf8("x"), f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
                codes.add(null);
            } catch (ExecutionException e) {
                codes.add(assertInstanceOf(TransportException.class, e.getCause()).code());
            } catch (Exception e) {
                fail(e);
            }
        }
        assertEquals(List.of(Code.HANDLER_ERROR, Code.HANDLER_ERROR, Code.HANDLER_ERROR),
                codes.stream().filter(c -> c != null).toList());
        assertEquals(3, codes.stream().filter(c -> c == null).count());
    }

    // ---- delivery: TransportException.notDelivered() -----------------------------------------

    /** Asserts that {@code e} has {@code code} and says the request certainly never reached a handler. */
    protected static void assertNotDelivered(Code code, TransportException e) {
        assertEquals(code, e.code(), () -> "wrong code, message: " + e.getMessage());
        assertTrue(e.notDelivered(), () -> "the request never left, so notDelivered() must be true: " + e.getMessage());
    }

    /** Asserts that {@code e} has {@code code} and does not claim the request was undelivered. */
    protected static void assertDeliveryUnknown(Code code, TransportException e) {
        assertEquals(code, e.code(), () -> "wrong code, message: " + e.getMessage());
        assertFalse(e.notDelivered(), () -> "the handler may have the request, so notDelivered() must be false: "
                + e.getMessage());
    }

    /** A call or stream to an endpoint where nothing listens fails UNAVAILABLE and was certainly not delivered. */
    @Test
    public void callWhereNothingListensIsNotDelivered() {
        Endpoint nobody = unreachableEndpoint();
        assertNotDelivered(Code.UNAVAILABLE, failure(client.call(nobody, "kv.apply", new byte[1], CALL_TIMEOUT)));
        OutboundStream out = client.openStream(nobody, "upload", CALL_TIMEOUT);
        assertNotDelivered(Code.UNAVAILABLE, failure(out.send(numbered(0, 8)).thenCompose(v -> out.finish())));
    }

    /**
     * A call whose peer closes while its handler holds the request fails UNAVAILABLE without
     * claiming non-delivery: the handler had it.
     */
    @Test
    public void peerClosingWhileItsHandlerHoldsTheRequestLeavesDeliveryUnknown() {
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        server.register("hold", (ctx, req) -> {
            arrived.complete(null);
            return new CompletableFuture<>();
        });
        CompletableFuture<byte[]> f = client.call(server.localEndpoint(), "hold", new byte[1], CALL_TIMEOUT);
        await(arrived);
        server.close();
        assertDeliveryUnknown(Code.UNAVAILABLE, failure(f));
    }

    /** A request or chunk over the caller's limit fails TOO_LARGE and was certainly not delivered. */
    @Test
    public void requestOverTheLimitIsNotDelivered() {
        AtomicInteger handled = new AtomicInteger();
        server.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(new byte[0]);
        });
        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        assertNotDelivered(Code.TOO_LARGE, failure(client.call(server.localEndpoint(), "m",
                new byte[MAX_MESSAGE_BYTES + 1], CALL_TIMEOUT)));
        OutboundStream out = client.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        assertNotDelivered(Code.TOO_LARGE, failure(out.send(new byte[MAX_MESSAGE_BYTES + 1])));
        out.cancel("test done");
        assertEquals(0, handled.get());
        assertEquals(0, c.chunks.size());
    }

    /** Calls and streams of a closed transport fail CANCELLED and were certainly not delivered. */
    @Test
    public void callsAfterCloseAreNotDelivered() {
        echo("echo");
        client.close();
        assertNotDelivered(Code.CANCELLED, failure(client.call(server.localEndpoint(), "echo", new byte[1],
                CALL_TIMEOUT)));
        assertNotDelivered(Code.CANCELLED, failure(client.openStream(server.localEndpoint(), "upload",
                CALL_TIMEOUT).finish()));
    }

    /**
     * Failures after the handler got the request leave delivery unknown: the caller's own close, a
     * deadline, and every failure the peer reports.
     */
    @Test
    public void failuresAfterTheHandlerGotTheRequestLeaveDeliveryUnknown() {
        warmUp();
        AtomicInteger held = new AtomicInteger();
        CompletableFuture<Void> secondArrived = new CompletableFuture<>();
        server.register("hold", (ctx, req) -> {
            if (held.incrementAndGet() == 2) {
                secondArrived.complete(null);
            }
            return new CompletableFuture<>();
        });
        server.register("boom", (ctx, req) -> {
            throw new IllegalStateException("the disk is on fire");
        });
        assertDeliveryUnknown(Code.DEADLINE_EXCEEDED, failure(client.call(server.localEndpoint(), "hold",
                new byte[1], Duration.ofMillis(200))));
        assertDeliveryUnknown(Code.HANDLER_ERROR, failure(client.call(server.localEndpoint(), "boom", new byte[1],
                CALL_TIMEOUT)));
        assertDeliveryUnknown(Code.NO_HANDLER, failure(client.call(server.localEndpoint(), "nobody.home",
                new byte[1], CALL_TIMEOUT)));
        CompletableFuture<byte[]> inFlight = client.call(server.localEndpoint(), "hold", new byte[1], CALL_TIMEOUT);
        await(secondArrived);
        client.close();
        assertDeliveryUnknown(Code.CANCELLED, failure(inFlight));
    }

    /**
     * A handler that fails with a not-delivered TransportException of its own (a call it forwarded
     * found no leader) gives its caller the code and message but not the flag: this hop delivered.
     */
    @Test
    public void handlersOwnNotDeliveredFailureLeavesItsCallerUnknown() {
        server.register("forward", (ctx, req) -> CompletableFuture.failedFuture(
                TransportException.undelivered(Code.UNAVAILABLE, "no leader at the next hop")));
        TransportException e = failure(client.call(server.localEndpoint(), "forward", new byte[1], CALL_TIMEOUT));
        assertDeliveryUnknown(Code.UNAVAILABLE, e);
        assertTrue(e.getMessage().contains("no leader at the next hop"), e.getMessage());
    }

    // ---- call-only transports -----------------------------------------------------------------

    /**
     * The descriptor of the plugin under test, from which the kit reads its capabilities; by default
     * the registered plugin that offers {@link #factory()} ({@link PluginDescriptors#owning}), empty
     * when none is registered (then the factory's own {@code supportsCallOnly()} decides).
     */
    protected Optional<PluginDescriptor> descriptor() {
        return PluginDescriptors.owning(factory(), getClass().getClassLoader());
    }

    /** Whether the plugin runs call-only: its declared {@link Capability#CALL_ONLY}, else the factory's answer. */
    protected final boolean callOnly() {
        return descriptor().flatMap(d -> d.declares(Capability.CALL_ONLY)).orElseGet(() -> factory().supportsCallOnly());
    }

    /** A plugin that declares its capabilities says the same about call-only in its descriptor as its factory. */
    @Test
    public void declaredCallOnlyMatchesTheFactory() {
        Optional<Boolean> declared = descriptor().flatMap(d -> d.declares(Capability.CALL_ONLY));
        if (declared.isPresent()) {
            assertEquals(declared.get(), factory().supportsCallOnly(), "descriptor declares CALL_ONLY="
                    + declared.get() + " but TransportFactory.supportsCallOnly() answers " + factory().supportsCallOnly());
        }
    }

    /**
     * Creates and starts a call-only transport like the binding's {@link #setup} (same limit and
     * TLS) whose endpoint is {@code local}. For a factory that does not
     * {@linkplain TransportFactory#supportsCallOnly() support} call-only setups, checks instead that
     * it refuses one with {@link IllegalArgumentException}, its documented failure, and returns null:
     * the calling test then ends, having checked all such a factory owes.
     */
    protected Transport startCallOnly(String node, Endpoint local) {
        TransportSetup base = setup(node, MAX_MESSAGE_BYTES);
        TransportSetup s = new TransportSetup(local, local, base.maxMessageBytes(), base.tls(), true);
        if (!callOnly()) {
            assertThrows(IllegalArgumentException.class, () -> createTransport(node, s),
                    "a factory without call-only support must refuse a call-only setup");
            return null;
        }
        Transport t = createTransport(node, s);
        t.start();
        return t;
    }

    /** The endpoint of the binding's default setup: where a serving transport would bind. */
    private Endpoint defaultBind(String node) {
        return setup(node, MAX_MESSAGE_BYTES).bind();
    }

    /**
     * A call-only transport calls and streams to a serving one exactly as a serving transport
     * does (under a TLS binding, as a TLS client the server accepts).
     */
    @Test
    public void callOnlyTransportCallsAndStreamsToAServingOne() {
        Transport caller = startCallOnly("caller", defaultBind("caller"));
        if (caller == null) {
            return;
        }
        AtomicReference<CallContext> seen = new AtomicReference<>();
        server.register("echo", (ctx, req) -> {
            seen.set(ctx);
            return CompletableFuture.completedFuture(req);
        });
        assertArrayEquals(utf8("from a client agent"), await(caller.call(server.localEndpoint(), "echo",
                utf8("from a client agent"), CALL_TIMEOUT)));
        assertEquals("echo", seen.get().method());

        Collector c = new Collector();
        server.registerStream("upload", ctx -> c);
        OutboundStream out = caller.openStream(server.localEndpoint(), "upload", CALL_TIMEOUT);
        sendAll(out, 0, 50, 1024);
        ByteBuffer r = ByteBuffer.wrap(await(out.finish()));
        assertEquals(50, r.getInt());
        assertEquals(expectedSum(50), r.getInt());
        assertFails(Code.NO_HANDLER, caller.call(server.localEndpoint(), "nobody.home", new byte[1], CALL_TIMEOUT));
    }

    /** A call-only transport reports the endpoint of its setup, port 0 included: it bound nothing. */
    @Test
    public void callOnlyLocalEndpointIsTheSetupEndpointAsGiven() {
        Endpoint asked = defaultBind("caller");
        Transport caller = startCallOnly("caller", asked);
        if (caller == null) {
            return;
        }
        assertEquals(asked, caller.localEndpoint());
    }

    /** Nothing answers at a call-only transport's endpoint: calls and streams to it fail UNAVAILABLE. */
    @Test
    public void callingACallOnlyTransportIsUnavailable() {
        Endpoint at = unreachableEndpoint();
        Transport caller = startCallOnly("caller", at);
        if (caller == null) {
            return;
        }
        // the caller is in use (connections, threads), which must not open a listener either
        echo("echo");
        await(caller.call(server.localEndpoint(), "echo", new byte[1], CALL_TIMEOUT));
        assertEquals(at, caller.localEndpoint());
        TransportException e = assertFails(Code.UNAVAILABLE, client.call(at, "echo", new byte[1], CALL_TIMEOUT));
        assertFalse(e.getMessage().isEmpty());
        OutboundStream out = client.openStream(at, "upload", CALL_TIMEOUT);
        CompletableFuture<Void> s = out.send(numbered(0, 8));
        assertFails(Code.UNAVAILABLE, s.thenCompose(v -> out.finish()));
    }

    /**
     * Starting a call-only transport on the endpoint a serving transport holds succeeds, since it
     * binds nothing, and the serving transport keeps answering there.
     */
    @Test
    public void callOnlyStartBindsNothingEvenOnATakenEndpoint() {
        echo("echo");
        Transport caller = startCallOnly("caller", server.localEndpoint());
        if (caller == null) {
            return;
        }
        assertArrayEquals(utf8("still"), await(client.call(server.localEndpoint(), "echo", utf8("still"),
                CALL_TIMEOUT)));
        assertArrayEquals(utf8("me too"), await(caller.call(server.localEndpoint(), "echo", utf8("me too"),
                CALL_TIMEOUT)));
    }

    /** Registering a handler on a call-only transport is a host bug: IllegalStateException. */
    @Test
    public void registeringOnACallOnlyTransportFails() {
        Transport caller = startCallOnly("caller", defaultBind("caller"));
        if (caller == null) {
            return;
        }
        assertThrows(IllegalStateException.class,
                () -> caller.register("echo", (ctx, req) -> CompletableFuture.completedFuture(req)));
        assertThrows(IllegalStateException.class, () -> caller.registerStream("upload", ctx -> new Collector()));
        // refused before start as well
        Transport unstarted = createTransport("unstarted", new TransportSetup(defaultBind("unstarted"),
                defaultBind("unstarted"), MAX_MESSAGE_BYTES, setup("unstarted", MAX_MESSAGE_BYTES).tls(), true));
        assertThrows(IllegalStateException.class,
                () -> unstarted.register("echo", (ctx, req) -> CompletableFuture.completedFuture(req)));
        // and the caller still calls afterwards
        echo("echo");
        assertArrayEquals(utf8("ok"), await(caller.call(server.localEndpoint(), "echo", utf8("ok"), CALL_TIMEOUT)));
    }

    /** Closing a call-only transport fails its calls in flight and later calls with CANCELLED. */
    @Test
    public void closingACallOnlyTransportCancelsItsCalls() {
        Transport caller = startCallOnly("caller", defaultBind("caller"));
        if (caller == null) {
            return;
        }
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        server.register("never", (ctx, req) -> {
            arrived.complete(null);
            return new CompletableFuture<>();
        });
        CompletableFuture<byte[]> f = caller.call(server.localEndpoint(), "never", new byte[1], CALL_TIMEOUT);
        await(arrived);
        caller.close();
        assertFails(Code.CANCELLED, f);
        assertFails(Code.CANCELLED, caller.call(server.localEndpoint(), "never", new byte[1], CALL_TIMEOUT));
    }
}
