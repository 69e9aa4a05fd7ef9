package io.tribune.agent.testing.sim;

import static io.tribune.testkit.Futures.causeOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.testing.TestCluster;
import io.tribune.api.PluginConfig;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The seeded latency of {@code transport-sim}: every leg waits, streams keep order, close cancels. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimNetworkTest {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private final SimScheduler sim = new SimScheduler();
    private static int hubs;

    private SimNetwork network(long seed, Duration min, Duration max) {
        return new SimNetwork(TestCluster.transportFactory("transport-inproc"), seed, min, max);
    }

    private Transport transport(SimNetwork net, String hub, String node, int port) {
        Transport t = net.plugin().transportFactories().get(0).create(
                TransportSetup.plain(new Endpoint("127.0.0.1", port)), PluginConfig.of(Map.of(SimNetwork.HUB_KEY, hub)),
                TestContext.simulated(node, sim, 1));
        t.start();
        return t;
    }

    private static String hub() {
        return "sim-network-test-" + (++hubs);
    }

    @Test
    void aCallWaitsForItsRequestAndForItsReply() {
        SimNetwork net = network(1, Duration.ofMillis(5), Duration.ofMillis(5));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        long[] servedAt = {-1};
        b.register("echo", (ctx, req) -> {
            servedAt[0] = sim.clock().nanos();
            return CompletableFuture.completedFuture(req);
        });
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "echo", new byte[] {42}, CALL_TIMEOUT);
        sim.runUntil(f::isDone, Duration.ofSeconds(1));
        assertArrayEquals(new byte[] {42}, f.join());
        assertEquals(Duration.ofMillis(5).toNanos(), servedAt[0], "the request travelled 5 ms");
        assertEquals(Duration.ofMillis(10).toNanos(), sim.clock().nanos(), "and the reply 5 ms more");
    }

    @Test
    void closingTheCallerCancelsACallStillOnTheWireAndItIsNeverServed() {
        SimNetwork net = network(2, Duration.ofMillis(50), Duration.ofMillis(50));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        AtomicInteger served = new AtomicInteger();
        b.register("m", (ctx, req) -> {
            served.incrementAndGet();
            return CompletableFuture.completedFuture(new byte[0]);
        });
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "m", new byte[0], CALL_TIMEOUT);
        sim.runFor(Duration.ofMillis(10));
        a.close();
        assertTrue(f.isCompletedExceptionally());
        TransportException e = assertInstanceOf(TransportException.class, causeOf(f));
        assertEquals(TransportException.Code.CANCELLED, e.code());
        assertTrue(e.notDelivered(), "it never left, and the failure says so");
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(0, served.get(), "a request that had not arrived when its sender closed never arrives");
        assertTrue(a.call(b.localEndpoint(), "m", new byte[0], CALL_TIMEOUT).isCompletedExceptionally(),
                "a closed transport refuses new calls");
    }

    @Test
    void closingTheCallerCancelsACallItsPeerIsServingWithoutClaimingItWasNotDelivered() {
        SimNetwork net = network(4, Duration.ofMillis(50), Duration.ofMillis(50));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        AtomicInteger served = new AtomicInteger();
        b.register("slow", (ctx, req) -> {
            served.incrementAndGet();
            return new CompletableFuture<>();
        });
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "slow", new byte[0], CALL_TIMEOUT);
        sim.runFor(Duration.ofMillis(60));
        assertEquals(1, served.get(), "the request arrived");
        a.close();
        TransportException e = assertInstanceOf(TransportException.class, causeOf(f));
        assertEquals(TransportException.Code.CANCELLED, e.code());
        assertFalse(e.notDelivered(), "the peer may have acted on it");
    }

    @Test
    void chunksOfAStreamArriveInOrderWhateverTheirDelays() {
        SimNetwork net = network(3, Duration.ofMillis(1), Duration.ofMillis(40));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        List<Integer> got = new ArrayList<>();
        b.registerStream("s", ctx -> new StreamHandler.Receiver() {
            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                got.add((int) chunk[0]);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                return CompletableFuture.completedFuture(new byte[] {(byte) got.size()});
            }

            @Override
            public void onError(Throwable cause) {
            }
        });
        OutboundStream s = a.openStream(b.localEndpoint(), "s", CALL_TIMEOUT);
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Void> sent = s.send(new byte[] {(byte) i});
            assertTrue(sim.runUntil(sent::isDone, Duration.ofSeconds(1)));
        }
        CompletableFuture<byte[]> end = s.finish();
        assertTrue(sim.runUntil(end::isDone, Duration.ofSeconds(1)));
        assertEquals(20, end.join()[0]);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(i);
        }
        assertEquals(expected, got);
    }

    @Test
    void theSameSeedGivesTheSameDelaysAndAnotherSeedOthers() {
        List<Long> first = completionTimes(5);
        assertEquals(first, completionTimes(5));
        assertNotEquals(first, completionTimes(6));
        assertFalse(first.stream().distinct().count() == 1, "delays vary within the bounds: " + first);
    }

    private List<Long> completionTimes(long seed) {
        SimScheduler own = new SimScheduler();
        SimNetwork net = network(seed, Duration.ofMillis(1), Duration.ofMillis(30));
        String hub = hub();
        List<Transport> ts = new ArrayList<>();
        for (String n : List.of("a", "b")) {
            Transport t = net.plugin().transportFactories().get(0).create(
                    TransportSetup.plain(new Endpoint("127.0.0.1", n.equals("a") ? 7001 : 7002)),
                    PluginConfig.of(Map.of(SimNetwork.HUB_KEY, hub)), TestContext.simulated(n, own, 1));
            t.start();
            ts.add(t);
        }
        ts.get(1).register("m", (ctx, req) -> CompletableFuture.completedFuture(req));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ts.get(0).call(ts.get(1).localEndpoint(), "m", new byte[0], CALL_TIMEOUT)
                    .whenComplete((r, e) -> times.add(own.clock().nanos()));
        }
        own.runFor(Duration.ofSeconds(1));
        ts.forEach(Transport::close);
        return times;
    }

    @Test
    void aCutLegIsRetransmittedAndArrivesAtTheFirstRetransmissionAfterTheHeal() {
        SimNetwork net = network(5, Duration.ofMillis(5), Duration.ofMillis(5));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        long[] servedAt = {-1};
        b.register("echo", (ctx, req) -> {
            servedAt[0] = sim.clock().nanos();
            return CompletableFuture.completedFuture(req);
        });
        net.cut("a", "b");
        assertTrue(net.isCut("a", "b"));
        assertFalse(net.isCut("b", "a"), "a cut is one way");
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "echo", new byte[] {1}, CALL_TIMEOUT);
        sim.runFor(Duration.ofMillis(500));
        assertEquals(-1, servedAt[0], "nothing crosses the cut");
        net.heal();
        sim.runUntil(f::isDone, Duration.ofSeconds(2));
        assertArrayEquals(new byte[] {1}, f.join());
        // Arrives at 5 ms, cut; retransmitted at 205 ms, cut; the heal comes at 500 ms, and the next
        // retransmission, at 5 + 200 + 400 = 605 ms, gets through.
        assertEquals(Duration.ofMillis(605).toNanos(), servedAt[0]);
    }

    @Test
    void aLegCutUntilTheDeadlineFailsTheCallWithDeadlineExceeded() {
        SimNetwork net = network(6, Duration.ofMillis(5), Duration.ofMillis(5));
        String hub = hub();
        Transport a = transport(net, hub, "a", 7001);
        Transport b = transport(net, hub, "b", 7002);
        AtomicInteger served = new AtomicInteger();
        b.register("echo", (ctx, req) -> {
            served.incrementAndGet();
            return CompletableFuture.completedFuture(req);
        });
        net.cut("b", "a");
        CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "echo", new byte[] {1}, Duration.ofSeconds(2));
        sim.runUntil(f::isDone, Duration.ofSeconds(5));
        assertEquals(1, served.get(), "the request crossed; only the reply is cut");
        TransportException e = assertInstanceOf(TransportException.class, causeOf(f));
        assertEquals(TransportException.Code.DEADLINE_EXCEEDED, e.code());
        assertFalse(e.notDelivered(), "the handler ran: the caller must not be told it did not");
        assertEquals(Duration.ofSeconds(2).toNanos(), sim.clock().nanos(), "it fails at the deadline, not before");
    }

    @Test
    void lossDelaysLegsByRetransmissionsButLosesNothingAndReplaysBySeed() {
        List<Long> first = lossyRun(11);
        assertEquals(first, lossyRun(11), "same seed, same delays");
        assertEquals(50, first.size(), "every call completed");
        assertTrue(first.stream().anyMatch(t -> t >= SimNetwork.FIRST_RTO_MILLIS),
                "at 30% loss some leg was retransmitted: " + first);
        assertThrows(IllegalArgumentException.class, () -> network(1, Duration.ZERO, Duration.ZERO).loss(0.6));
        assertThrows(IllegalArgumentException.class, () -> network(1, Duration.ZERO, Duration.ZERO).cut("a", "a"));
    }

    /** Round-trip times in ms of 50 sequential calls at 30% loss. */
    private List<Long> lossyRun(long seed) {
        SimScheduler s = new SimScheduler();
        SimNetwork net = network(seed, Duration.ofMillis(1), Duration.ofMillis(1));
        net.loss(0.3);
        String hub = hub();
        Transport a = net.plugin().transportFactories().get(0).create(
                TransportSetup.plain(new Endpoint("127.0.0.1", 7001)), PluginConfig.of(Map.of(SimNetwork.HUB_KEY, hub)),
                TestContext.simulated("a", s, 1));
        Transport b = net.plugin().transportFactories().get(0).create(
                TransportSetup.plain(new Endpoint("127.0.0.1", 7002)), PluginConfig.of(Map.of(SimNetwork.HUB_KEY, hub)),
                TestContext.simulated("b", s, 1));
        a.start();
        b.start();
        b.register("echo", (ctx, req) -> CompletableFuture.completedFuture(req));
        List<Long> rtts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long t0 = s.clock().nanos();
            CompletableFuture<byte[]> f = a.call(b.localEndpoint(), "echo", new byte[] {(byte) i}, Duration.ofSeconds(30));
            s.runUntil(f::isDone, Duration.ofSeconds(30));
            f.join();
            rtts.add((s.clock().nanos() - t0) / 1_000_000);
        }
        a.close();
        b.close();
        return rtts;
    }
}
