package io.tribune.transport.inproc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Unit tests of the in-process transport on a {@link SimScheduler}: every hop and deadline runs on
 * virtual time, so the tests can assert exactly when something happens.
 */
class InProcTransportTest {
    private static final Duration T = Duration.ofSeconds(1);
    private static final AtomicInteger HUBS = new AtomicInteger();

    private final SimScheduler sim = new SimScheduler();
    private final List<Transport> opened = new ArrayList<>();
    private PluginConfig config;
    private Transport a;
    private Transport b;

    @BeforeEach
    void setUp(TestInfo info) {
        // A hub per test keeps tests apart even though hubs are process-wide.
        config = PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "unit-" + HUBS.incrementAndGet()));
        a = started("a", 4096);
        b = started("b", 4096);
    }

    @AfterEach
    void tearDown() {
        opened.forEach(Transport::close);
    }

    private Transport started(String node, int maxBytes) {
        Transport t = create(node, new Endpoint("127.0.0.1", 0), maxBytes);
        t.start();
        return t;
    }

    private Transport create(String node, Endpoint bind, int maxBytes) {
        Transport t = new InProcTransportFactory().create(
                new TransportSetup(bind, bind, maxBytes, Optional.empty()), config,
                TestContext.simulated(node, sim, 7));
        opened.add(t);
        return t;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TransportException failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "future should have failed: " + f);
        CompletionException e = assertThrows(CompletionException.class, f::join);
        return assertInstanceOf(TransportException.class, e.getCause());
    }

    @Test
    void echoCompletesOnlyWhenTheSchedulersRun() {
        b.register("echo", (ctx, req) -> CompletableFuture.completedFuture(req));
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "echo", bytes("hi"), T);
        assertFalse(f.isDone(), "delivery must go through the scheduler, not the calling thread");
        sim.runDue();
        assertArrayEquals(bytes("hi"), f.join());
        assertEquals(0, sim.clock().nanos(), "no virtual time passes for an immediate handler");
    }

    @Test
    void handlerSeesMethodCallerAndDeadlineOnItsClock() {
        AtomicReference<CallContext> seen = new AtomicReference<>();
        b.register("m", (ctx, req) -> {
            seen.set(ctx);
            return CompletableFuture.completedFuture(new byte[0]);
        });
        sim.clock().advance(Duration.ofMillis(5));
        a.call(b.localEndpoint(), "m", new byte[1], Duration.ofMillis(300));
        sim.runDue();
        assertEquals("m", seen.get().method());
        assertEquals(Optional.of(a.localEndpoint()), seen.get().remote());
        assertEquals(Optional.empty(), seen.get().peerIdentity());
        assertEquals(Duration.ofMillis(305).toNanos(), seen.get().deadlineNanos());
    }

    @Test
    void deadlineFiresExactlyAtTheTimeoutOnVirtualTime() {
        b.register("never", (ctx, req) -> new CompletableFuture<>());
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "never", new byte[1], Duration.ofMillis(250));
        sim.runFor(Duration.ofMillis(249));
        assertFalse(f.isDone());
        sim.runFor(Duration.ofMillis(1));
        assertEquals(Code.DEADLINE_EXCEEDED, failure(f).code());
    }

    @Test
    void lateResponseAfterDeadlineIsIgnored() {
        CompletableFuture<byte[]> slow = new CompletableFuture<>();
        b.register("slow", (ctx, req) -> slow);
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "slow", new byte[1], Duration.ofMillis(10));
        sim.runFor(Duration.ofMillis(20));
        slow.complete(bytes("late"));
        sim.runDue();
        assertEquals(Code.DEADLINE_EXCEEDED, failure(f).code());
    }

    @Test
    void requestIsCopiedSoTheCallerMayReuseItsArray() {
        AtomicReference<byte[]> seen = new AtomicReference<>();
        b.register("m", (ctx, req) -> {
            seen.set(req);
            return CompletableFuture.completedFuture(new byte[0]);
        });
        byte[] req = bytes("abc");
        a.call(b.localEndpoint(), "m", req, T);
        req[0] = 'X';
        sim.runDue();
        assertArrayEquals(bytes("abc"), seen.get());
    }

    @Test
    void unknownEndpointIsUnavailable() {
        CompletableFuture<byte[]> f = a.call(new Endpoint("127.0.0.1", 1), "m", new byte[1], T);
        assertEquals(Code.UNAVAILABLE, failure(f).code());
    }

    @Test
    void closedPeerIsUnavailable() {
        b.register("m", (ctx, req) -> CompletableFuture.completedFuture(req));
        Endpoint target = b.localEndpoint();
        b.close();
        assertEquals(Code.UNAVAILABLE, failure(a.call(target, "m", new byte[1], T)).code());
    }

    @Test
    void missingHandlerIsNoHandler() {
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "nope", new byte[1], T);
        sim.runDue();
        TransportException e = failure(f);
        assertEquals(Code.NO_HANDLER, e.code());
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void handlerExceptionBecomesHandlerErrorWithItsMessage() {
        b.register("boom", (ctx, req) -> {
            throw new IllegalStateException("disk on fire");
        });
        b.register("failed", (ctx, req) -> CompletableFuture.failedFuture(new RuntimeException("nope")));
        b.register("shed", (ctx, req) -> {
            throw new TransportException(Code.RESOURCE_EXHAUSTED, "queue full");
        });
        var boom = a.call(b.localEndpoint(), "boom", new byte[1], T);
        var failed = a.call(b.localEndpoint(), "failed", new byte[1], T);
        var shed = a.call(b.localEndpoint(), "shed", new byte[1], T);
        sim.runDue();
        assertEquals(Code.HANDLER_ERROR, failure(boom).code());
        assertTrue(failure(boom).getMessage().contains("disk on fire"));
        assertEquals(Code.HANDLER_ERROR, failure(failed).code());
        assertTrue(failure(failed).getMessage().contains("nope"));
        assertEquals(Code.RESOURCE_EXHAUSTED, failure(shed).code());
        assertEquals("RESOURCE_EXHAUSTED: queue full", failure(shed).getMessage());
    }

    @Test
    void oversizedRequestFailsWithoutReachingThePeer() {
        AtomicInteger handled = new AtomicInteger();
        b.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "m", new byte[4097], T);
        assertEquals(Code.TOO_LARGE, failure(f).code());
        var ok = a.call(b.localEndpoint(), "m", new byte[4096], T);
        sim.runDue();
        assertEquals(4096, ok.join().length);
        assertEquals(1, handled.get());
    }

    @Test
    void receiverWithSmallerLimitRefusesTheRequestAndOversizedResponsesFail() {
        Transport small = started("small", 1024);
        AtomicInteger handled = new AtomicInteger();
        small.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        b.register("big", (ctx, req) -> CompletableFuture.completedFuture(new byte[5000]));
        var tooBigForSmall = a.call(small.localEndpoint(), "m", new byte[2000], T);
        var bigResponse = a.call(b.localEndpoint(), "big", new byte[1], T);
        sim.runDue();
        assertEquals(Code.TOO_LARGE, failure(tooBigForSmall).code());
        assertEquals(0, handled.get());
        assertEquals(Code.TOO_LARGE, failure(bigResponse).code());
    }

    @Test
    void closeFailsOwnCallsCancelledAndServedCallsUnavailable() {
        b.register("never", (ctx, req) -> new CompletableFuture<>());
        Transport c = started("c", 4096);
        c.register("never", (ctx, req) -> new CompletableFuture<>());
        var fromA = a.call(b.localEndpoint(), "never", new byte[1], T);
        var fromAtoC = a.call(c.localEndpoint(), "never", new byte[1], T);
        var fromBtoC = b.call(c.localEndpoint(), "never", new byte[1], T);
        sim.runDue();
        a.close();
        assertEquals(Code.CANCELLED, failure(fromA).code());
        assertEquals(Code.CANCELLED, failure(fromAtoC).code());
        c.close();
        assertEquals(Code.UNAVAILABLE, failure(fromBtoC).code());
        assertEquals(Code.CANCELLED, failure(a.call(b.localEndpoint(), "never", new byte[1], T)).code());
        a.close(); // idempotent
    }

    @Test
    void bindingATakenEndpointIsUnavailableAndPortZeroGetsDistinctPorts() {
        assertNotEquals(0, a.localEndpoint().port());
        assertNotEquals(a.localEndpoint(), b.localEndpoint());
        Transport dup = create("dup", a.localEndpoint(), 4096);
        TransportException e = assertThrows(TransportException.class, dup::start);
        assertEquals(Code.UNAVAILABLE, e.code());
        // a's endpoint still belongs to a
        a.register("m", (ctx, req) -> CompletableFuture.completedFuture(bytes("a")));
        var f = b.call(a.localEndpoint(), "m", new byte[1], T);
        sim.runDue();
        assertArrayEquals(bytes("a"), f.join());
    }

    @Test
    void hubsAreIsolated() {
        Endpoint target = b.localEndpoint();
        Transport other = new InProcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "isolated-" + HUBS.incrementAndGet())),
                TestContext.simulated("o", sim, 1));
        opened.add(other);
        other.start();
        assertEquals(Code.UNAVAILABLE, failure(other.call(target, "m", new byte[1], T)).code());
    }

    @Test
    void badArgumentsAreRefusedUpFront() {
        Endpoint t = b.localEndpoint();
        assertThrows(IllegalArgumentException.class, () -> a.call(t, "", new byte[1], T));
        assertThrows(IllegalArgumentException.class, () -> a.call(t, "a b", new byte[1], T));
        assertThrows(IllegalArgumentException.class, () -> a.call(t, "x".repeat(257), new byte[1], T));
        assertThrows(IllegalArgumentException.class, () -> a.call(t, "m", new byte[1], Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> a.call(t, "m", new byte[1], Duration.ofDays(2)));
        assertThrows(NullPointerException.class, () -> a.call(t, "m", null, T));
        assertThrows(IllegalArgumentException.class, () -> new InProcTransportFactory().create(
                TransportSetup.plain(t), PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "bad hub")),
                TestContext.simulated("x", sim, 1)));
    }

    /** Receives a stream into a list, acknowledging each chunk only when the test says so. */
    private static final class HeldReceiver implements StreamHandler.Receiver {
        final List<String> chunks = new ArrayList<>();
        final List<CompletableFuture<Void>> acks = new ArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();
        boolean completed;

        @Override
        public CompletableFuture<Void> onChunk(byte[] chunk) {
            chunks.add(new String(chunk, StandardCharsets.UTF_8));
            CompletableFuture<Void> ack = new CompletableFuture<>();
            acks.add(ack);
            return ack;
        }

        @Override
        public CompletableFuture<byte[]> onComplete() {
            completed = true;
            return CompletableFuture.completedFuture(bytes(String.join(",", chunks)));
        }

        @Override
        public void onError(Throwable cause) {
            error.set(cause);
        }
    }

    @Test
    void streamDeliversInOrderWithOneChunkOfBackpressure() {
        HeldReceiver r = new HeldReceiver();
        b.registerStream("s", ctx -> r);
        OutboundStream out = a.openStream(b.localEndpoint(), "s", T);
        CompletableFuture<Void> first = out.send(bytes("1"));
        sim.runDue();
        assertEquals(List.of("1"), r.chunks);
        assertFalse(first.isDone(), "the receiver has not acknowledged chunk 1 yet");
        assertThrows(IllegalStateException.class, () -> out.send(bytes("2")));
        r.acks.get(0).complete(null);
        sim.runDue();
        assertTrue(first.isDone());
        for (int i = 2; i <= 5; i++) {
            CompletableFuture<Void> s = out.send(bytes(Integer.toString(i)));
            sim.runDue();
            r.acks.get(i - 1).complete(null);
            sim.runDue();
            assertTrue(s.isDone());
        }
        CompletableFuture<byte[]> resp = out.finish();
        sim.runDue();
        assertEquals("1,2,3,4,5", new String(resp.join(), StandardCharsets.UTF_8));
        assertTrue(r.completed);
        assertEquals(null, r.error.get());
    }

    @Test
    void streamCancelAndDeadlineReachTheReceiver() {
        HeldReceiver cancelled = new HeldReceiver();
        HeldReceiver expired = new HeldReceiver();
        b.registerStream("c", ctx -> cancelled);
        b.registerStream("e", ctx -> expired);
        OutboundStream c = a.openStream(b.localEndpoint(), "c", T);
        OutboundStream e = a.openStream(b.localEndpoint(), "e", Duration.ofMillis(100));
        CompletableFuture<Void> pending = c.send(bytes("x"));
        e.send(bytes("y"));
        sim.runDue();
        c.cancel("changed my mind");
        sim.runDue();
        assertEquals(Code.CANCELLED, failure(pending).code());
        assertEquals(Code.CANCELLED, ((TransportException) cancelled.error.get()).code());
        assertEquals(Code.CANCELLED, failure(c.finish()).code());
        sim.runFor(Duration.ofMillis(100));
        sim.runDue();
        assertEquals(Code.DEADLINE_EXCEEDED, ((TransportException) expired.error.get()).code());
        assertEquals(Code.DEADLINE_EXCEEDED, failure(e.finish()).code());
    }

    @Test
    void streamWithoutHandlerOrPeerFails() {
        OutboundStream none = a.openStream(b.localEndpoint(), "nope", T);
        OutboundStream gone = a.openStream(new Endpoint("127.0.0.1", 2), "s", T);
        sim.runDue();
        assertEquals(Code.NO_HANDLER, failure(none.finish()).code());
        assertEquals(Code.UNAVAILABLE, failure(gone.send(new byte[1])).code());
        assertEquals(Code.TOO_LARGE, failure(a.openStream(b.localEndpoint(), "nope", T).send(new byte[5000])).code());
    }

    @Test
    void closingTheServerFailsItsStreamsAndTellsTheReceiver() {
        HeldReceiver r = new HeldReceiver();
        b.registerStream("s", ctx -> r);
        OutboundStream out = a.openStream(b.localEndpoint(), "s", T);
        out.send(bytes("1"));
        sim.runDue();
        b.close();
        sim.runDue();
        assertEquals(Code.UNAVAILABLE, failure(out.finish()).code());
        assertInstanceOf(TransportException.class, r.error.get());
    }

    private Transport callOnly(String node, Endpoint local) {
        Transport t = new InProcTransportFactory().create(TransportSetup.callOnly(local, 4096, Optional.empty()),
                config, TestContext.simulated(node, sim, 11));
        opened.add(t);
        t.start();
        return t;
    }

    @Test
    void callOnlyTransportCallsThroughTheSchedulersAndPeersSeeNoRemote() {
        Transport c = callOnly("client-agent", new Endpoint("127.0.0.1", 8300));
        AtomicReference<CallContext> seen = new AtomicReference<>();
        b.register("echo", (ctx, req) -> {
            seen.set(ctx);
            return CompletableFuture.completedFuture(req);
        });
        CompletableFuture<byte[]> f = c.call(b.localEndpoint(), "echo", bytes("hi"), Duration.ofMillis(300));
        assertFalse(f.isDone(), "delivery must go through the scheduler, as for a serving transport");
        sim.runDue();
        assertArrayEquals(bytes("hi"), f.join());
        assertEquals(Optional.empty(), seen.get().remote(), "a call-only caller has no endpoint to call back");
        assertEquals(Duration.ofMillis(300).toNanos(), seen.get().deadlineNanos());

        HeldReceiver r = new HeldReceiver();
        b.registerStream("s", ctx -> r);
        OutboundStream out = c.openStream(b.localEndpoint(), "s", T);
        CompletableFuture<Void> first = out.send(bytes("1"));
        sim.runDue();
        assertFalse(first.isDone(), "one chunk of backpressure, as for a serving transport");
        r.acks.get(0).complete(null);
        sim.runDue();
        CompletableFuture<byte[]> resp = out.finish();
        sim.runDue();
        assertEquals("1", new String(resp.join(), StandardCharsets.UTF_8));
    }

    @Test
    void callOnlyTransportIsNotInTheHub() {
        Endpoint at = new Endpoint("127.0.0.1", 8300);
        Transport c = callOnly("client-agent", at);
        assertEquals(at, c.localEndpoint());
        assertEquals(Code.UNAVAILABLE, failure(a.call(at, "m", new byte[1], T)).code());
        assertEquals(Code.UNAVAILABLE, failure(a.openStream(at, "s", T).send(new byte[1])).code());
        // the endpoint is free for a serving transport, which then answers there
        Transport s = create("server", at, 4096);
        s.register("m", (ctx, req) -> CompletableFuture.completedFuture(bytes("served")));
        s.start();
        CompletableFuture<byte[]> f = a.call(at, "m", new byte[1], T);
        sim.runDue();
        assertArrayEquals(bytes("served"), f.join());
        // closing the call-only transport does not take the endpoint from its new owner
        c.close();
        CompletableFuture<byte[]> g = a.call(at, "m", new byte[1], T);
        sim.runDue();
        assertArrayEquals(bytes("served"), g.join());
    }

    @Test
    void callOnlyTransportRefusesHandlersAndPortZeroStaysZero() {
        Transport c = callOnly("client-agent", new Endpoint("127.0.0.1", 0));
        assertEquals(new Endpoint("127.0.0.1", 0), c.localEndpoint());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> c.register("m", (ctx, req) -> CompletableFuture.completedFuture(req)));
        assertTrue(e.getMessage().contains("call-only"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> c.registerStream("s", ctx -> new HeldReceiver()));
        assertTrue(new InProcTransportFactory().supportsCallOnly());
    }

    // ---- delivery: which failures say the request certainly never reached a handler ----------

    @Test
    void requestsThatNeverLeftTheCallerAreNotDelivered() {
        AtomicInteger handled = new AtomicInteger();
        b.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        HeldReceiver r = new HeldReceiver();
        b.registerStream("s", ctx -> r);
        Endpoint nowhere = new Endpoint("127.0.0.1", 1);
        TransportException noPeer = failure(a.call(nowhere, "m", new byte[1], T));
        TransportException noStreamPeer = failure(a.openStream(nowhere, "s", T).send(new byte[1]));
        TransportException tooLarge = failure(a.call(b.localEndpoint(), "m", new byte[4097], T));
        OutboundStream open = a.openStream(b.localEndpoint(), "s", T);
        TransportException chunkTooLarge = failure(open.send(new byte[4097]));
        sim.runDue();
        a.close();
        TransportException afterClose = failure(a.call(b.localEndpoint(), "m", new byte[1], T));
        TransportException streamAfterClose = failure(a.openStream(b.localEndpoint(), "s", T).finish());

        assertUndelivered(Code.UNAVAILABLE, noPeer);
        assertUndelivered(Code.UNAVAILABLE, noStreamPeer);
        assertUndelivered(Code.TOO_LARGE, tooLarge);
        assertUndelivered(Code.TOO_LARGE, chunkTooLarge);
        assertUndelivered(Code.CANCELLED, afterClose);
        assertUndelivered(Code.CANCELLED, streamAfterClose);
        assertEquals(0, handled.get());
        assertEquals(List.of(), r.chunks, "the refused chunk must not reach the receiver");
    }

    @Test
    void peerThatLeftTheHubIsNotDeliveredNorIsACallOnlyEndpoint() {
        b.register("m", (ctx, req) -> CompletableFuture.completedFuture(req));
        Endpoint target = b.localEndpoint();
        b.close();
        assertUndelivered(Code.UNAVAILABLE, failure(a.call(target, "m", new byte[1], T)));
        Endpoint clientAgent = new Endpoint("127.0.0.1", 8301);
        callOnly("client-agent", clientAgent);
        assertUndelivered(Code.UNAVAILABLE, failure(a.call(clientAgent, "m", new byte[1], T)));
    }

    @Test
    void requestOverTheReceiversSmallerLimitIsNotDelivered() {
        Transport small = started("small", 1024);
        AtomicInteger handled = new AtomicInteger();
        small.register("m", (ctx, req) -> {
            handled.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        CompletableFuture<byte[]> f = a.call(small.localEndpoint(), "m", new byte[2000], T);
        sim.runDue();
        assertUndelivered(Code.TOO_LARGE, failure(f));
        assertEquals(0, handled.get());
    }

    @Test
    void failuresAfterTheRequestWasHandedOverStayUnknown() {
        b.register("hold", (ctx, req) -> new CompletableFuture<>());
        b.register("boom", (ctx, req) -> {
            throw new IllegalStateException("disk on fire");
        });
        b.register("huge", (ctx, req) -> CompletableFuture.completedFuture(new byte[5000]));
        Transport c = started("c", 4096);
        c.register("hold", (ctx, req) -> new CompletableFuture<>());
        var peerCloses = a.call(c.localEndpoint(), "hold", new byte[1], T);
        var expires = a.call(b.localEndpoint(), "hold", new byte[1], Duration.ofMillis(50));
        var noHandler = a.call(b.localEndpoint(), "nope", new byte[1], T);
        var handlerError = a.call(b.localEndpoint(), "boom", new byte[1], T);
        var responseTooLarge = a.call(b.localEndpoint(), "huge", new byte[1], T);
        Transport d = started("d", 4096);
        var callerCloses = d.call(b.localEndpoint(), "hold", new byte[1], T);
        sim.runDue();
        c.close();
        d.close();
        sim.runFor(Duration.ofMillis(50));

        assertUnknown(Code.UNAVAILABLE, failure(peerCloses));
        assertUnknown(Code.DEADLINE_EXCEEDED, failure(expires));
        assertUnknown(Code.NO_HANDLER, failure(noHandler));
        assertUnknown(Code.HANDLER_ERROR, failure(handlerError));
        assertUnknown(Code.TOO_LARGE, failure(responseTooLarge));
        assertUnknown(Code.CANCELLED, failure(callerCloses));
    }

    @Test
    void callQueuedForTheHandlerStaysUnknownWhenEitherSideCloses() {
        b.register("m", (ctx, req) -> CompletableFuture.completedFuture(req));
        Transport c = started("c", 4096);
        c.register("m", (ctx, req) -> CompletableFuture.completedFuture(req));
        // handed to the server's scheduler, which has not run the handler yet
        var serverCloses = a.call(b.localEndpoint(), "m", new byte[1], T);
        var callerCloses = c.call(b.localEndpoint(), "m", new byte[1], T);
        c.close();
        b.close();
        sim.runDue();
        assertUnknown(Code.CANCELLED, failure(callerCloses));
        assertUnknown(Code.UNAVAILABLE, failure(serverCloses));
    }

    @Test
    void handlersOwnUndeliveredFailureReachesTheCallerAsUnknown() {
        // b forwards to a leader that is gone: that hop was not delivered, but this one was
        b.register("forward", (ctx, req) -> CompletableFuture.failedFuture(
                TransportException.undelivered(Code.UNAVAILABLE, "no leader at 10.0.0.9:8300")));
        var f = a.call(b.localEndpoint(), "forward", new byte[1], T);
        sim.runDue();
        TransportException e = failure(f);
        assertUnknown(Code.UNAVAILABLE, e);
        assertTrue(e.getMessage().contains("no leader"), e.getMessage());
    }

    @Test
    void streamWhosePeerClosesAfterOpeningStaysUnknown() {
        HeldReceiver r = new HeldReceiver();
        b.registerStream("s", ctx -> r);
        OutboundStream out = a.openStream(b.localEndpoint(), "s", T);
        sim.runDue();
        b.close();
        sim.runDue();
        assertUnknown(Code.UNAVAILABLE, failure(out.finish()));
    }

    private static void assertUndelivered(Code code, TransportException e) {
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.notDelivered(), () -> "must be certainly not delivered: " + e.getMessage());
    }

    private static void assertUnknown(Code code, TransportException e) {
        assertEquals(code, e.code(), e.getMessage());
        assertFalse(e.notDelivered(), () -> "must not claim non-delivery: " + e.getMessage());
    }

    @Test
    void pluginDescribesItself() {
        InProcTransportPlugin p = new InProcTransportPlugin();
        assertEquals("transport-inproc", p.descriptor().name());
        assertEquals(java.util.Set.of(SpiKind.TRANSPORT), p.descriptor().provides());
        assertFalse(p.descriptor().durable());
        assertEquals("transport-inproc", p.transportFactories().get(0).name());
    }
}
