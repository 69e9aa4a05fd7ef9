package io.tribune.agent.rpc.internal;

import static io.tribune.testkit.Futures.causeOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.server.ServerEndpoints;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.state.KvEntry;
import io.tribune.state.RequestId;
import io.tribune.state.StateStore;
import io.tribune.testkit.SimScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The request layer's routing on one thread and virtual time, with the real server endpoints over real
 * state stores and the real wire between agents: holding during elections, failing after the hold,
 * retrying stale leader hints, client failover, hops, datacenters, exactly-once writes and the
 * outcome of writes whose answers are lost. Transport, consensus and membership are small in-memory
 * doubles.
 */
class RouterTest {
    private static final Duration HOLD = Duration.ofSeconds(7);
    private final SimScheduler sim = new SimScheduler();
    private final Map<Endpoint, FakeTransport> network = new ConcurrentHashMap<>();
    private int nextPort = 40_000;

    // ---------------------------------------------------------------- harness

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Created only if absent (cas=0): a second application answers false. */
    private static Kv.Set createOnly(String key, String value) {
        return new Kv.Set(key, bytes(value), 0, OptionalLong.of(0));
    }

    private static AgentException failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "expected a failure");
        try {
            f.join();
            throw new AssertionError("unreachable");
        } catch (CompletionException e) {
            return assertInstanceOf(AgentException.class, e.getCause());
        }
    }

    private Node server(String name, boolean leader) {
        return node(name, "dc1", Optional.of(new FakeConsensus(leader)), Map.of(), false);
    }

    private Node server(String name, boolean leader, String datacenter) {
        return node(name, datacenter, Optional.of(new FakeConsensus(leader)), Map.of(), false);
    }

    private Node client(String name, List<Endpoint> servers) {
        return node(name, "dc1", Optional.empty(), Map.of("dc1", servers), false);
    }

    private Node node(String name, String datacenter, Optional<FakeConsensus> consensus,
                      Map<String, List<Endpoint>> dirs, boolean verifyIncoming) {
        Endpoint ep = new Endpoint("127.0.0.1", nextPort++);
        FakeTransport t = new FakeTransport(ep);
        network.put(ep, t);
        Node n = new Node(name, t, consensus.orElse(null));
        n.directory.putAll(dirs);
        Handlers handlers = new Handlers();
        FakeMembership lan = new FakeMembership();
        n.router = new Router(new Router.Settings(name, datacenter, HOLD), handlers, t,
                consensus.map(c -> (Consensus) c), consensus.map(c -> c.store), lan,
                dc -> n.directory.getOrDefault(dc, List.of()), sim.clock(), sim, new SplittableRandom(42),
                new RequestIds(name.hashCode()), Runnable::run);
        consensus.ifPresent(c -> {
            ServerEndpoints.register(handlers, new ServerEndpoints.Setup(datacenter, c, lan, sim.clock(), sim, HOLD,
                    64 * 1024));
            new RpcServer(n.router, t, verifyIncoming).start();
        });
        handlers.local(AgentOps.Leave.class, (o, opt) -> CompletableFuture.completedFuture(true));
        n.router.start();
        return n;
    }

    private static final class Node {
        final String name;
        final FakeTransport transport;
        final FakeConsensus consensus;
        final Map<String, List<Endpoint>> directory = new HashMap<>();
        Router router;

        Node(String name, FakeTransport transport, FakeConsensus consensus) {
            this.name = name;
            this.transport = transport;
            this.consensus = consensus;
        }

        Endpoint endpoint() {
            return transport.local;
        }

        ServerInfo info() {
            return new ServerInfo(name, endpoint(), true);
        }

        <R> CompletableFuture<Response<R>> call(Op<R> op) {
            return router.call(op);
        }

        <R> CompletableFuture<Response<R>> call(Op<R> op, Options o) {
            return router.call(op, o);
        }

        long stat(String key) {
            return router.stats().get(key);
        }

        /** The value under {@code key} in this server's own state. */
        String value(String key) {
            return consensus.store.kvGet(key).value().map(e -> new String(e.value(), StandardCharsets.UTF_8))
                    .orElse(null);
        }
    }

    // ---------------------------------------------------------------- holding and leaders

    @Test
    void aFollowerHoldsAWriteWhileNoLeaderIsKnownThenSendsItToTheNewLeader() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(2));
        assertFalse(f.isDone(), "gave up or succeeded without a leader");
        assertEquals(1, follower.stat("holds"));
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        Response<Boolean> r = f.join();
        assertTrue(r.value());
        assertEquals(1, r.meta().index(), "the leader's commit index");
        assertEquals("v", leader.value("k"));
        assertEquals(1, leader.stat("served_for_others"));
        assertEquals(1, follower.stat("writes_to_leader"));
    }

    @Test
    void aFollowerWithoutALeaderFailsWithNoClusterLeaderExactlyWhenTheHoldEnds() {
        Node follower = server("f", false);
        long start = sim.clock().nanos();
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(HOLD.minusMillis(100));
        assertFalse(f.isDone());
        sim.runFor(Duration.ofMillis(200));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.NO_LEADER, e.kind());
        assertEquals("No cluster leader", e.getMessage());
        assertTrue(sim.clock().nanos() - start >= HOLD.toNanos());
    }

    @Test
    void aStaleLeaderHintIsRetriedUntilTheRealLeaderAnswers() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(new ServerInfo("gone", new Endpoint("127.0.0.1", 1), true));
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("x", "1"));
        sim.runFor(Duration.ofSeconds(1));
        assertFalse(f.isDone(), "an unreachable leader must be retried, not reported");
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        assertEquals("1", leader.value("x"));
    }

    @Test
    void aServerThatWasSentAWriteAsLeaderButIsNotAnswersNotLeaderAndTheSenderFindsTheLeaderAgain() {
        Node real = server("real", true);
        Node former = server("former", false);
        Node follower = server("f", false);
        // The follower still believes the former leader leads; the former leader knows better.
        follower.consensus.leader = Optional.of(former.info());
        former.consensus.leader = Optional.of(real.info());
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(Duration.ofMillis(300));
        assertFalse(f.isDone(), "a server sent a write as leader must not forward it on");
        assertEquals(0, real.stat("served_for_others"), "the former leader forwarded a leader hop further");
        follower.consensus.leader = Optional.of(real.info());
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        assertEquals("v", real.value("k"));
    }

    // ---------------------------------------------------------------- reads

    @Test
    void aFollowerWithoutFollowerReadsSendsADefaultReadToTheLeaderAndServesAStaleOneItself() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        leader.call(new Kv.Set("k", bytes("leader's"), 0, OptionalLong.empty())).join();
        Response<Optional<KvEntry>> d = follower.call(new Kv.Get("k")).join();
        assertEquals("leader's", new String(d.value().orElseThrow().value(), StandardCharsets.UTF_8));
        assertEquals(ReadConsistency.DEFAULT, d.meta().servedAs());
        assertEquals(1, follower.stat("reads_to_leader"));
        Response<Optional<KvEntry>> s = follower.call(new Kv.Get("k"), Options.of(ReadConsistency.STALE)).join();
        assertTrue(s.value().isEmpty(), "the follower's own (empty) state answers a stale read");
        assertEquals(ReadConsistency.STALE, s.meta().servedAs());
        assertEquals(1, follower.stat("reads_to_leader"));
    }

    @Test
    void aStaleReadBeyondItsMaxStaleIsAnsweredByTheLeader() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        leader.call(new Kv.Set("k", bytes("v"), 0, OptionalLong.empty())).join();
        Options bounded = Options.of(ReadConsistency.STALE).withMaxStale(Duration.ofSeconds(2));
        follower.consensus.lastContact = Duration.ofSeconds(1);
        Response<Optional<KvEntry>> fresh = follower.call(new Kv.Get("k"), bounded).join();
        assertTrue(fresh.value().isEmpty(), "fresh enough: served from the follower's own state");
        follower.consensus.lastContact = Duration.ofSeconds(3);
        Response<Optional<KvEntry>> stale = follower.call(new Kv.Get("k"), bounded).join();
        assertTrue(stale.value().isPresent(), "too far behind: the leader answers");
        assertEquals(ReadConsistency.DEFAULT, stale.meta().servedAs());
    }

    @Test
    void aBlockingReadWaitsForTheIndexOrItsWait() {
        Node leader = server("l", true);
        leader.call(new Kv.Set("before", bytes("x"), 0, OptionalLong.empty())).join();
        Response<Optional<KvEntry>> first = leader.call(new Kv.Get("k")).join();
        long index = first.meta().index();
        CompletableFuture<Response<Optional<KvEntry>>> blocked = leader.call(new Kv.Get("k"),
                Options.DEFAULT.blocking(index, Duration.ofSeconds(10)));
        sim.runFor(Duration.ofSeconds(1));
        assertFalse(blocked.isDone(), "answered before anything changed");
        leader.call(new Kv.Set("k", bytes("v"), 0, OptionalLong.empty())).join();
        sim.runFor(Duration.ofMillis(10));
        assertTrue(blocked.join().meta().index() > index);
        CompletableFuture<Response<Optional<KvEntry>>> timesOut = leader.call(new Kv.Get("other"),
                Options.DEFAULT.blocking(leader.call(new Kv.Get("other")).join().meta().index(),
                        Duration.ofSeconds(5)));
        sim.runFor(Duration.ofSeconds(4));
        assertFalse(timesOut.isDone());
        sim.runFor(Duration.ofSeconds(2));
        assertTrue(timesOut.isDone(), "a blocking read answers once its wait (plus at most 1/16) ran out");
    }

    @Test
    void aReadThatArrivedOverALeaderHopIsNotForwardedAgain() {
        Node other = server("o", true);
        Node notLeader = server("n", false);
        notLeader.consensus.leader = Optional.of(other.info());
        Envelope e = new Envelope(new Kv.Get("k"), Options.DEFAULT, Optional.empty(), "x", Envelope.Hop.LEADER);
        CompletableFuture<Response<?>> r = notLeader.router.serve(e);
        assertTrue(r.isCompletedExceptionally());
        assertInstanceOf(Router.NotLeaderHere.class, AgentException.unwrap(r.handle((x, t) -> t).join()));
        assertEquals(0, other.stat("served_for_others"));
    }

    // ---------------------------------------------------------------- clients and datacenters

    @Test
    void aClientMovesPastAnUnreachableServerAndKeepsUsingTheLiveOne() {
        Node leader = server("l", true);
        Endpoint dead = new Endpoint("127.0.0.1", 2);
        Node client = client("c", List.of(dead, leader.endpoint()));
        for (int i = 0; i < 3; i++) {
            assertTrue(client.call(createOnly("w" + i, "v")).join().value());
        }
        assertEquals(leader.endpoint(), client.router.serverList().get(0));
        assertTrue(client.stat("failovers") <= 1, "failed over more than once");
        assertEquals(3, leader.stat("served_for_others"));
    }

    @Test
    void aClientThatKnowsNoServerFailsWithNoKnownServersAfterTheHold() {
        Node client = client("c", List.of());
        CompletableFuture<Response<Optional<KvEntry>>> f = client.call(new Kv.Get("x"));
        sim.runFor(HOLD.plusMillis(100));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.NO_SERVERS, e.kind());
        assertEquals("No known Consul servers", e.getMessage());
    }

    @Test
    void aClientWriteIsHeldByItsServerDuringAnElection() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        Node client = client("c", List.of(follower.endpoint()));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("x", "1"));
        sim.runFor(Duration.ofSeconds(3));
        assertFalse(f.isDone());
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        assertEquals(1, follower.stat("writes_to_leader"));
    }

    @Test
    void requestsForAnotherDatacenterGoToOneOfItsServersAndNeverBounceFurther() {
        Node remote = server("r", true, "dc2");
        Node local = server("s", true);
        remote.call(new Kv.Set("k", bytes("remote"), 0, OptionalLong.empty())).join();
        local.directory.put("dc2", List.of(new Endpoint("127.0.0.1", 3), remote.endpoint()));
        Options dc2 = Options.DEFAULT.withDatacenter("dc2");
        for (int i = 0; i < 4; i++) {
            Response<Optional<KvEntry>> r = local.call(new Kv.Get("k"), dc2).join();
            assertEquals("remote", new String(r.value().orElseThrow().value(), StandardCharsets.UTF_8));
        }
        assertTrue(local.call(new Kv.Get("k"), Options.DEFAULT.withDatacenter("DC1")).join().value().isEmpty(),
                "the local datacenter in another case is the local one");
        Envelope bounced = new Envelope(new Kv.Get("k"), dc2, Optional.empty(), "x", Envelope.Hop.DATACENTER);
        AgentException e = AgentException.of(local.router.serve(bounced).handle((x, t) -> t).join());
        assertEquals(AgentException.Kind.NO_PATH_TO_DATACENTER, e.kind());
        AgentException none = failure(local.call(new Kv.Get("k"), Options.DEFAULT.withDatacenter("dc9")));
        assertEquals("No path to datacenter", none.getMessage());
    }

    @Test
    void aClientSendsARequestForAnotherDatacenterToItsOwnServerWhichTakesItThere() {
        Node remote = server("r", true, "dc2");
        remote.call(new Kv.Set("k", bytes("remote"), 0, OptionalLong.empty())).join();
        Node local = server("s", true);
        local.directory.put("dc2", List.of(remote.endpoint()));
        Node client = client("c", List.of(local.endpoint()));
        Response<Optional<KvEntry>> r = client.call(new Kv.Get("k"), Options.DEFAULT.withDatacenter("dc2")).join();
        assertEquals("remote", new String(r.value().orElseThrow().value(), StandardCharsets.UTF_8));
        assertEquals(1, client.stat("requests_to_server"), "the client knows no dc2 server: its own takes it on");
        assertEquals(0, client.stat("requests_to_datacenter"));
        assertEquals(1, local.stat("requests_to_datacenter"));
        assertEquals(1, remote.stat("served_for_others"));
    }

    @Test
    void aWriteForAnotherDatacenterReachesItsLeaderThroughTheServerItWasSentTo() {
        Node leader2 = server("l2", true, "dc2");
        Node follower2 = server("f2", false, "dc2");
        follower2.consensus.leader = Optional.of(leader2.info());
        Node local = server("s", true);
        local.directory.put("dc2", List.of(follower2.endpoint()));
        assertTrue(local.call(createOnly("w", "dc2-value"), Options.DEFAULT.withDatacenter("dc2")).join().value());
        assertEquals("dc2-value", leader2.value("w"));
        assertEquals(null, local.value("w"), "nothing is written in the local datacenter");
        assertEquals(1, follower2.stat("writes_to_leader"));
    }

    @Test
    void aRemoteServerThatCouldNotBeReachedIsTriedAfterTheOthersUntilItsQuarantineEnds() {
        Node remote = server("r", true, "dc2");
        Node local = server("s", true);
        Endpoint dead = new Endpoint("127.0.0.1", 4);
        local.directory.put("dc2", List.of(dead, remote.endpoint()));
        Options dc2 = Options.DEFAULT.withDatacenter("dc2");
        int calls = 0;
        // Shuffled: the dead one comes first sooner or later (seeded, so always at the same call).
        while (local.stat("requests_to_datacenter") == calls) {
            assertTrue(local.call(new Kv.Get("k"), dc2).join().value().isEmpty());
            calls++;
            assertTrue(calls < 64, "the dead server was never tried");
        }
        long attempts = local.stat("requests_to_datacenter");
        for (int i = 0; i < 20; i++) {
            local.call(new Kv.Get("k"), dc2).join();
        }
        assertEquals(attempts + 20, local.stat("requests_to_datacenter"), "one attempt each: the dead one goes last");
        sim.runFor(Router.DC_QUARANTINE.plusSeconds(1));
        long before = local.stat("requests_to_datacenter");
        int more = 0;
        while (local.stat("requests_to_datacenter") == before + more) {
            local.call(new Kv.Get("k"), dc2).join();
            more++;
            assertTrue(more < 64, "after its quarantine the dead server was never tried again");
        }
    }

    @Test
    void aDatacenterWhoseServersAllRefuseFailsAtOnceWithNoPathAfterThreeOfThem() {
        Node local = server("s", true);
        local.directory.put("dc2", List.of(new Endpoint("127.0.0.1", 5), new Endpoint("127.0.0.1", 6),
                new Endpoint("127.0.0.1", 7), new Endpoint("127.0.0.1", 8)));
        CompletableFuture<Response<Boolean>> w = local.call(createOnly("x", "1"), Options.DEFAULT.withDatacenter("dc2"));
        assertTrue(w.isDone(), "no hold: refused connections fail at once, without waiting on the scheduler");
        AgentException e = failure(w);
        assertEquals(AgentException.Kind.NO_PATH_TO_DATACENTER, e.kind());
        assertTrue(e.getMessage().startsWith("No path to datacenter"), e.getMessage());
        assertEquals(Router.MAX_DC_ATTEMPTS, local.stat("requests_to_datacenter"));
        assertEquals(null, local.value("x"));
        assertTrue(local.call(createOnly("x", "1")).join().value(), "the local datacenter is not held up");
    }

    @Test
    void aClientForwardsEverythingButAgentOperationsAndRefusesForwardedRequests() {
        Node server = server("s", true);
        Node client = client("c", List.of(server.endpoint()));
        client.call(new Kv.Set("k", bytes("v"), 0, OptionalLong.empty())).join();
        assertEquals(List.of("k"), client.call(new Kv.Keys("", "")).join().value());
        assertTrue(client.call(new AgentOps.Leave()).join().value(), "agent operations run on the client");
        Envelope forwarded = new Envelope(new Kv.Get("k"), Options.DEFAULT, Optional.empty(), "x",
                Envelope.Hop.CLIENT);
        AgentException e = AgentException.of(client.router.serve(forwarded).handle((x, t) -> t).join());
        assertEquals(AgentException.Kind.INTERNAL, e.kind());
    }

    @Test
    void theDeadlineOfAForwardedCallCoversTheBlockingWaitAndTheHolds() {
        Node n = server("s", true);
        Duration plain = n.router.deadline(new Envelope(new Kv.Get("k"), Options.DEFAULT, Optional.empty(), "s",
                Envelope.Hop.NONE));
        Duration blocking = n.router.deadline(new Envelope(new Kv.Get("k"),
                Options.DEFAULT.blocking(5, Duration.ofSeconds(160)), Optional.empty(), "s", Envelope.Hop.NONE));
        assertEquals(plain.plusSeconds(170), blocking); // 160 s + 1/16 jitter
        Duration capped = n.router.deadline(new Envelope(new Kv.Get("k"),
                Options.DEFAULT.blocking(5, Duration.ofHours(1)), Optional.empty(), "s", Envelope.Hop.NONE));
        assertEquals(plain.plus(Duration.ofMinutes(10)).plus(Duration.ofMinutes(10).dividedBy(16)), capped);
        assertTrue(plain.compareTo(HOLD.multipliedBy(2)) > 0);
    }

    // ---------------------------------------------------------------- exactly-once writes

    @Test
    void aClientWriteWhoseReplyIsLostIsSentAgainWithTheSameIdAndAnsweredWithTheFirstResult() {
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put("Kv.Set", 1);
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        Response<Boolean> r = f.join();
        assertTrue(r.value(), "the retry answered false: it was applied twice");
        assertEquals(1, r.meta().index(), "the index of the first application");
        List<byte[]> sent = client.transport.sent("Kv.Set");
        assertEquals(2, sent.size(), "the write was not sent again");
        assertArrayEquals(sent.get(0), sent.get(1), "the retry is not the same request");
        RequestId id = Wire.decodeCall("Kv.Set", sent.get(0)).requestId().orElseThrow();
        assertEquals(OptionalLong.of(1), leader.consensus.store.requestIndex(id));
        assertEquals(1, leader.consensus.store.kvGet("k").value().orElseThrow().modifyIndex());
        assertEquals(2, leader.consensus.applied.size(), "both attempts reached the log");
        assertEquals(1, leader.stat("repeats"));
    }

    @Test
    void aFollowerResendsALostWriteToTheLeaderWithTheSameId() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.transport.loseReplies.put("Kv.Set", 1);
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        List<byte[]> sent = follower.transport.sent("Kv.Set");
        assertEquals(2, sent.size());
        assertArrayEquals(sent.get(0), sent.get(1));
        assertEquals(1, leader.stat("repeats"));
        assertEquals(1, leader.consensus.store.kvGet("k").value().orElseThrow().modifyIndex());
    }

    @Test
    void everyWriteThatEntersGetsAnIdOfItsOwnAndReadsCarryNone() {
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.call(createOnly("a", "1")).join();
        client.call(createOnly("b", "1")).join();
        client.call(new Kv.Get("a")).join();
        assertEquals(2, leader.consensus.store.dedupEntries(), "two writes, two ids");
        assertTrue(Wire.decodeCall("Kv.Get", client.transport.sent("Kv.Get").get(0)).requestId().isEmpty());
    }

    @Test
    void aWriteIsNotSentAgainWhenTheConnectionBreaksAfterTheResendHorizonAndItsOutcomeIsUnknown() {
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put("Kv.Set", 1);
        client.transport.loseAfter = Router.RESEND_HORIZON.plusSeconds(1);
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Router.RESEND_HORIZON.plusSeconds(5));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("may or may not have been applied"), e.getMessage());
        assertEquals(1, client.transport.sent("Kv.Set").size());
        assertEquals(1, client.stat("not_resent"));
        assertEquals("v", leader.value("k"), "it was applied: 'unknown' was the honest answer");
    }

    @Test
    void aWriteWhoseCallIsCancelledAfterTheServerAppliedItFailsAsOutcomeUnknownNotUnavailable() {
        // What a client agent's caller sees when the agent shuts down with the write in flight: its
        // transport cancels the call, after the server may already have applied it.
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put("Kv.Set", 1);
        client.transport.lossCode = TransportException.Code.CANCELLED;
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("may or may not have been applied"), e.getMessage());
        assertEquals("v", leader.value("k"), "it was applied: a definite failure would have been a false promise");
        assertEquals(1, client.transport.sent("Kv.Set").size(), "a cancelled call is not sent again");
    }

    @Test
    void aResentWriteWhoseSecondProposalIsReplacedAfterTheFirstCommittedFailsAsOutcomeUnknownNotUnavailable() {
        // Seeds 4669 and 9806 of the fault simulation: the first attempt committed but its answer
        // was lost; the resend's proposal was replaced by a new leader's entry, which Raft rightly
        // reports as not committed, yet the request as a whole was applied.
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put("Kv.Set", 1);
        // The first attempt is applied; only its reply is lost. The resend's proposal then fails.
        leader.consensus.failProposal.put(2, new ConsensusException(
                "the entry at index 2 was replaced by a new leader's; the command was not committed"));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("may or may not have been applied"), e.getMessage());
        assertEquals(2, client.transport.sent("Kv.Set").size(), "the write was sent again");
        assertEquals("v", leader.value("k"), "it was applied: a definite failure would have been a false promise");
    }

    @Test
    void aProposalFailedByTheConsensusAsOutcomeUnknownIsReportedAsOutcomeUnknown() {
        // The raft plugin fails pending proposals so when a leader's snapshot replaces the state.
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        leader.consensus.failProposal.put(1, new ConsensusException(
                "state replaced by a snapshot from the leader; outcome unknown"));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, failure(f).kind());
    }

    @Test
    void aWriteWhoseOnlyAttemptIsReplacedStaysADefiniteFailure() {
        // Nothing else was sent: Raft's "replaced" is the whole truth, so the answer stays definite.
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        leader.consensus.failProposal.put(1, new ConsensusException(
                "the entry at index 1 was replaced by a new leader's; the command was not committed"));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(AgentException.Kind.UNAVAILABLE, failure(f).kind());
        assertTrue(leader.value("k") == null, "nothing was applied");
    }

    @Test
    void aReadWhoseCallIsCancelledFailsAsUnavailable() {
        Node leader = server("l", true);
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put("Kv.Get", 1);
        client.transport.lossCode = TransportException.Code.CANCELLED;
        CompletableFuture<Response<Optional<KvEntry>>> f = client.call(new Kv.Get("k"));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(AgentException.Kind.UNAVAILABLE, failure(f).kind(), "a read changes nothing: its failure is definite");
    }

    @Test
    void aWriteSentToALeaderWhoseAnswerIsLostAndWhoThenVanishesFailsAsOutcomeUnknownNotNoLeader() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.transport.loseReplies.put("Kv.Set", 1);
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        // The leader applied it; the answer is lost and no leader is known until the hold ends.
        follower.consensus.leader = Optional.empty();
        sim.runFor(HOLD.plusSeconds(1));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
        assertEquals("v", leader.value("k"));
    }

    @Test
    void aClientWriteForwardedByAFollowerToALeaderThatAppliedItButWhoseAnswerWasLostIsReportedAsOutcomeUnknown() {
        // Issue 17, defect 2: 9 of 42 writes answered "No cluster leader" had been applied. The
        // client must be told, in words it can tell from "not applied", that the outcome is unknown.
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.transport.loseReplies.put("Kv.Set", 1);
        Node client = client("c", List.of(follower.endpoint()));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        follower.consensus.leader = Optional.empty();
        sim.runFor(HOLD.multipliedBy(2).plusSeconds(1));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("may or may not have been applied"), e.getMessage());
        assertFalse(e.getMessage().equals(Router.NO_LEADER), e.getMessage());
        assertEquals("v", leader.value("k"));
    }

    @Test
    void aWriteThatOnlyMetRefusedConnectionsFailsAsNoLeaderAndWasAppliedNowhere() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        // The leader is gone: nothing listens at its address any more.
        network.remove(leader.endpoint());
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(HOLD.plusSeconds(1));
        AgentException e = failure(f);
        assertEquals(AgentException.Kind.NO_LEADER, e.kind(), e.getMessage());
        assertEquals(Router.NO_LEADER, e.getMessage());
        assertTrue(leader.consensus.store.kvGet("k").value().isEmpty());
    }

    @Test
    void aTransportThatCannotTellNotDeliveredLeavesTheOutcomeUnknown() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.transport.saysNotDelivered = false;
        network.remove(leader.endpoint());
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(HOLD.plusSeconds(1));
        assertEquals(AgentException.Kind.OUTCOME_UNKNOWN, failure(f).kind());
    }

    // ---------------------------------------------------------------- servers still starting (issue 17, defect 5)

    @Test
    void aClientMovesPastAServerThatAnswersNoHandlerAndTheWriteIsAppliedOnce() {
        Node leader = server("l", true);
        // A server whose port is open but whose operations are not registered yet.
        Endpoint starting = new Endpoint("127.0.0.1", nextPort++);
        network.put(starting, new FakeTransport(starting));
        Node client = client("c", List.of(leader.endpoint(), starting));
        // The list is shuffled (with a fixed seed): the test needs the starting server tried first.
        assertEquals(starting, client.router.serverList().get(0), "precondition: the starting server comes first");
        assertTrue(client.call(createOnly("k", "v")).join().value());
        assertEquals("v", leader.value("k"));
        assertEquals(1, leader.consensus.applied.size(), "applied more than once");
        assertEquals(leader.endpoint(), client.router.serverList().get(0));
        assertTrue(client.call(new Kv.Get("k")).join().value().isPresent());
    }

    @Test
    void aClientHoldsWhileItsOnlyServerIsStartingAndIsServedOnceItsHandlersExist() {
        Node server = server("s", true);
        Map<String, RequestHandler> registered = new HashMap<>(server.transport.handlers);
        server.transport.handlers.clear();
        Node client = client("c", List.of(server.endpoint()));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(2));
        assertFalse(f.isDone(), "a NO_HANDLER answer ended the request instead of being retried");
        server.transport.handlers.putAll(registered);
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        assertEquals("v", server.value("k"));
    }

    @Test
    void aWriteThatOnlyMetServersWithoutHandlersFailsAsUnsupportedAndWasAppliedNowhere() {
        Node server = server("s", true);
        server.transport.handlers.clear();
        Node client = client("c", List.of(server.endpoint()));
        CompletableFuture<Response<Boolean>> f = client.call(createOnly("k", "v"));
        sim.runFor(HOLD.plusSeconds(1));
        AgentException e = failure(f);
        // Definite: no handler ever saw it, so it is not OUTCOME_UNKNOWN.
        assertEquals(AgentException.Kind.UNSUPPORTED, e.kind(), e.getMessage());
        assertTrue(server.consensus.store.kvGet("k").value().isEmpty());
    }

    @Test
    void aFollowerHoldsAWriteWhileItsLeaderAnswersNoHandler() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        Map<String, RequestHandler> registered = new HashMap<>(leader.transport.handlers);
        leader.transport.handlers.clear();
        CompletableFuture<Response<Boolean>> f = follower.call(createOnly("k", "v"));
        sim.runFor(Duration.ofSeconds(1));
        assertFalse(f.isDone());
        leader.transport.handlers.putAll(registered);
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(f.join().value());
        assertEquals(1, leader.consensus.applied.size());
    }

    @Test
    void anRpcServerRegisteredBeforeItsRouterExistsServesCallsOnceAttachedAndAnswersNoHandlerAfterItsWait() {
        Node leader = server("l", true);
        // The agent's start: handlers registered before the port opens, the router attached later.
        Endpoint ep = new Endpoint("127.0.0.1", nextPort++);
        FakeTransport t = new FakeTransport(ep);
        network.put(ep, t);
        RpcServer early = new RpcServer(t, false, sim);
        early.start();
        assertEquals(new java.util.TreeSet<>(Wire.methods()), new java.util.TreeSet<>(t.handlers.keySet()));
        byte[] call = Wire.encodeCall(new Envelope(new Kv.Get("k"), Options.DEFAULT, Optional.empty(), "probe",
                Envelope.Hop.CLIENT));
        FakeTransport probe = new FakeTransport(new Endpoint("127.0.0.9", 1));
        CompletableFuture<byte[]> tooEarly = probe.call(ep, "Kv.Get", call, Duration.ofSeconds(30));
        sim.runFor(RpcServer.STARTING_WAIT.plusMillis(1));
        TransportException te = assertInstanceOf(TransportException.class, causeOf(tooEarly));
        assertEquals(TransportException.Code.NO_HANDLER, te.code());
        assertTrue(te.notDelivered());

        CompletableFuture<byte[]> waiting = probe.call(ep, "Kv.Get", call, Duration.ofSeconds(30));
        assertFalse(waiting.isDone());
        early.attach(leader.router);
        sim.runFor(Duration.ofMillis(1));
        assertTrue(Wire.decodeReply(new Kv.Get("k"), waiting.join()).value().isEmpty());
    }

    // ---------------------------------------------------------------- the RPC port

    @Test
    void aServerAnswersOnlyTheDefinedOperationsAndNeverAnAgentOperation() {
        Node server = server("s", true);
        assertTrue(server.transport.handlers.keySet().containsAll(List.of("Kv.Get", "Kv.Set", "Catalog.Register",
                "Status.Leader", "Snapshots.Save")));
        assertTrue(server.transport.handlers.keySet().stream().noneMatch(m -> m.startsWith("AgentOps.")
                || m.startsWith("Operator.Keyring") || m.startsWith("tribune.rpc.http")),
                server.transport.handlers.keySet().toString());
        assertEquals(new java.util.TreeSet<>(Wire.methods()), new java.util.TreeSet<>(server.transport.handlers.keySet()));
        Node client = client("c", List.of(server.endpoint()));
        assertTrue(client.transport.handlers.isEmpty(), "a client agent serves no RPC");
    }

    @Test
    void malformedCallsAndCallsOfTheWrongMethodChangeNothing() {
        Node server = server("s", true);
        FakeTransport probe = new FakeTransport(new Endpoint("127.0.0.9", 1));
        byte[] set = Wire.encodeCall(new Envelope(createOnly("k", "v"), Options.DEFAULT,
                Optional.of(new RequestId(1, 1)), "probe", Envelope.Hop.CLIENT));
        for (var bad : List.of(Map.entry("Kv.Set", new byte[] {(byte) 0xFF, 1}), Map.entry("Kv.Delete", set))) {
            byte[] answer = probe.call(server.endpoint(), bad.getKey(), bad.getValue(), Duration.ofSeconds(1)).join();
            AgentException e = assertInstanceOf(AgentException.class, org.junit.jupiter.api.Assertions.assertThrows(
                    AgentException.class, () -> Wire.decodeReply(new Kv.Get("k"), answer)));
            assertEquals(AgentException.Kind.BAD_REQUEST, e.kind(), e.getMessage());
        }
        assertTrue(server.consensus.applied.isEmpty());
    }

    @Test
    void withVerifyIncomingACallWithoutAVerifiedIdentityIsRefusedBeforeItIsRead() {
        Node server = node("s", "dc1", Optional.of(new FakeConsensus(true)), Map.of(), true);
        FakeTransport anonymous = new FakeTransport(new Endpoint("127.0.0.9", 2));
        anonymous.identity = Optional.empty();
        byte[] set = Wire.encodeCall(new Envelope(createOnly("k", "v"), Options.DEFAULT,
                Optional.of(new RequestId(1, 1)), "probe", Envelope.Hop.CLIENT));
        byte[] answer = anonymous.call(server.endpoint(), "Kv.Set", set, Duration.ofSeconds(1)).join();
        AgentException e = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Kv.Set("k", new byte[0], 0, OptionalLong.empty()), answer));
        assertEquals(AgentException.Kind.PERMISSION_DENIED, e.kind());
        assertTrue(server.consensus.applied.isEmpty());
        // With an identity it goes through.
        byte[] ok = new FakeTransport(new Endpoint("127.0.0.9", 3)).call(server.endpoint(), "Kv.Set", set,
                Duration.ofSeconds(1)).join();
        assertTrue(Wire.decodeReply(createOnly("k", "v"), ok).value());
    }

    @Test
    void serverOperationsAreAnsweredByAnyServerFromItsOwnView() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        assertEquals(leader.endpoint().toString(), follower.call(new Status.Leader()).join().value());
        assertEquals(List.of("dc1"), follower.call(new Catalog.Datacenters()).join().value());
        assertEquals(0, leader.stat("served_for_others"));
    }

    // ---------------------------------------------------------------- doubles

    /** Calls go straight to the target's handler on the caller's thread; an unknown target is UNAVAILABLE. */
    private final class FakeTransport implements Transport {
        final Endpoint local;
        final Map<String, RequestHandler> handlers = new ConcurrentHashMap<>();
        /** Per method, how many of this transport's next calls lose their reply after the peer served them. */
        final Map<String, Integer> loseReplies = new ConcurrentHashMap<>();
        /** Whether a call to an endpoint where nobody listens fails as certainly not delivered. */
        boolean saysNotDelivered = true;
        /** How long after the peer served it a lost reply is reported as UNAVAILABLE (virtual time). */
        Duration loseAfter = Duration.ZERO;
        /**
         * How a lost reply is reported: UNAVAILABLE (the connection broke) by default, CANCELLED for
         * a call cut off by this transport's own close.
         */
        TransportException.Code lossCode = TransportException.Code.UNAVAILABLE;
        /** Every call made, as method and request bytes. */
        final List<Map.Entry<String, byte[]>> calls = new ArrayList<>();
        /** The identity this transport's calls present to their peer (a verified certificate's subject). */
        Optional<String> identity = Optional.of("CN=test");

        FakeTransport(Endpoint local) {
            this.local = local;
        }

        @Override
        public void start() {
        }

        @Override
        public Endpoint localEndpoint() {
            return local;
        }

        @Override
        public void register(String method, RequestHandler handler) {
            handlers.put(method, handler);
        }

        @Override
        public void registerStream(String method, StreamHandler handler) {
            throw new UnsupportedOperationException("not used by the router");
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            FakeTransport peer = network.get(target);
            if (peer == null) {
                // Nobody listens there: the call certainly reached no handler (unless, like a plugin
                // built before SPI 1.2, the transport cannot say so).
                return CompletableFuture.failedFuture(new TransportException(TransportException.Code.UNAVAILABLE,
                        "nobody at " + target, null, saysNotDelivered));
            }
            RequestHandler h = peer.handlers.get(method);
            if (h == null) {
                return CompletableFuture.failedFuture(new TransportException(TransportException.Code.NO_HANDLER, method));
            }
            calls.add(Map.entry(method, request.clone()));
            CompletableFuture<byte[]> reply;
            try {
                reply = h.handle(new CallContext(method, Optional.of(local), identity, Long.MAX_VALUE), request);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(new TransportException(TransportException.Code.HANDLER_ERROR,
                        String.valueOf(e.getMessage())));
            }
            if (loseReplies.getOrDefault(method, 0) == 0) {
                return reply;
            }
            loseReplies.merge(method, -1, Integer::sum);
            // The peer served the call; its answer is lost with the connection.
            CompletableFuture<byte[]> lost = new CompletableFuture<>();
            TransportException.Code code = lossCode;
            reply.whenComplete((r, t) -> sim.schedule(loseAfter, () -> lost.completeExceptionally(
                    new TransportException(code, "connection to " + target + " reset after the call was served"))));
            return lost;
        }

        /** The requests of the calls made for {@code method}, in order. */
        List<byte[]> sent(String method) {
            return calls.stream().filter(c -> c.getKey().equals(method)).map(Map.Entry::getValue).toList();
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            throw new UnsupportedOperationException("not used by the router");
        }

        @Override
        public int maxMessageBytes() {
            return 1 << 20;
        }

        @Override
        public void close() {
        }
    }

    /**
     * Leader or not, by a flag; a leader applies each command at once to a real state machine,
     * numbering entries from 1. No follower reads: a follower's default and consistent barriers fail
     * with {@link NotLeaderException}, so the router must forward them.
     */
    private static final class FakeConsensus implements Consensus {
        volatile boolean leads;
        volatile Optional<ServerInfo> leader = Optional.empty();
        final List<byte[]> applied = new ArrayList<>();
        final StateStore store = new StateStore(Runnable::run);
        /** Failures by proposal number (1 = the first), which then reach no log (as a proposal whose entry a new leader replaced). */
        final Map<Integer, ConsensusException> failProposal = new ConcurrentHashMap<>();
        int proposals;

        FakeConsensus(boolean leads) {
            this.leads = leads;
        }

        @Override
        public synchronized CompletableFuture<Applied> apply(byte[] command, Duration timeout) {
            if (!leads) {
                return CompletableFuture.failedFuture(new NotLeaderException(leader));
            }
            ConsensusException fail = failProposal.remove(++proposals);
            if (fail != null) {
                return CompletableFuture.failedFuture(fail);
            }
            applied.add(command);
            return CompletableFuture.completedFuture(new Applied(applied.size(), store.apply(applied.size(), 1, command)));
        }

        @Override
        public CompletableFuture<Long> readBarrier(ReadConsistency mode, Duration timeout) {
            return leads || mode == ReadConsistency.STALE ? CompletableFuture.completedFuture(store.lastIndex())
                    : CompletableFuture.failedFuture(new NotLeaderException(leader));
        }

        @Override
        public boolean isLeader() {
            return leads;
        }

        @Override
        public Leadership leadership() {
            return new Leadership(1, leads, leader);
        }

        @Override
        public void start() {
        }

        @Override
        public boolean hasState() {
            return true;
        }

        @Override
        public void bootstrap(List<ServerInfo> servers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Subscription onLeadershipChange(Consumer<Leadership> listener) {
            throw new UnsupportedOperationException();
        }

        /** How long since this server heard from its leader. */
        volatile Duration lastContact = Duration.ZERO;

        @Override
        public Duration lastContact() {
            return lastContact;
        }

        @Override
        public synchronized long appliedIndex() {
            return applied.size();
        }

        @Override
        public List<ServerInfo> configuration() {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> addVoter(ServerInfo server, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> addNonVoter(ServerInfo server, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> removeServer(String id, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> transferLeadership(Optional<String> target, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Long> snapshotNow() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, String> stats() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /** A one-member pool; server lists come from the test's directory instead. Events are broadcast nowhere. */
    private static final class FakeMembership implements Membership {
        @Override
        public void start() {
        }

        @Override
        public Member localMember() {
            return new Member("me", "127.0.0.1", 1, Map.of(), MemberStatus.ALIVE, 0);
        }

        @Override
        public List<Member> members() {
            return List.of(localMember());
        }

        @Override
        public CompletableFuture<Integer> join(List<String> seeds) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> leave(Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> forceLeave(String name, boolean prune) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> updateTags(Map<String, String> tags) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Subscription subscribe(MembershipListener listener) {
            return () -> {
            };
        }

        @Override
        public void close() {
        }
    }
}
