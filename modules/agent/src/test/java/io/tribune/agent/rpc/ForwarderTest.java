package io.tribune.agent.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.RequestHandler;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
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
 * The forwarder's decisions on one thread and virtual time: holding during elections, failing
 * after the hold timeout, retrying stale leader hints, client failover, hop markers and
 * datacenter routing. Transport, consensus and membership are small in-memory doubles.
 */
class ForwarderTest {
    private static final Duration HOLD = Duration.ofSeconds(7);
    private final SimScheduler sim = new SimScheduler();
    private final Map<Endpoint, FakeTransport> network = new ConcurrentHashMap<>();

    @Test
    void followerHoldsAWriteWhileNoLeaderIsKnownThenSendsItToTheNewLeader() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.appliedIndex = 1_000;
        CompletableFuture<Applied> f = follower.forwarder.apply(bytes("cmd"), Duration.ofSeconds(10), true);
        sim.runFor(Duration.ofSeconds(2));
        assertFalse(f.isDone(), "gave up or succeeded without a leader");
        assertEquals(1, follower.forwarder.stats().get("holds"));
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        Applied a = f.join();
        assertEquals("applied:cmd", new String(a.result(), StandardCharsets.UTF_8));
        assertEquals(List.of("cmd"), leader.consensus.applied);
        assertEquals(1, leader.forwarder.stats().get("served_apply"));
    }

    @Test
    void followerWithoutALeaderFailsWithNoClusterLeaderExactlyWhenTheHoldEnds() {
        Node follower = server("f", false);
        long start = sim.clock().nanos();
        CompletableFuture<Applied> f = follower.forwarder.apply(bytes("cmd"), Duration.ofSeconds(10), true);
        sim.runFor(HOLD.minusMillis(100));
        assertFalse(f.isDone());
        sim.runFor(Duration.ofMillis(200));
        HttpError e = assertInstanceOf(HttpError.class, failure(f));
        assertEquals(500, e.status());
        assertEquals("No cluster leader", e.getMessage());
        assertTrue(sim.clock().nanos() - start >= HOLD.toNanos());
    }

    @Test
    void aStaleLeaderHintIsRetriedUntilTheRealLeaderAnswers() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.appliedIndex = 1_000;
        follower.consensus.leader = Optional.of(new ServerInfo("gone", new Endpoint("127.0.0.1", 1), true));
        CompletableFuture<Applied> f = follower.forwarder.apply(bytes("x"), Duration.ofSeconds(10), true);
        sim.runFor(Duration.ofSeconds(1));
        assertFalse(f.isDone(), "an unreachable leader must be retried, not reported");
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        assertEquals("applied:x", new String(f.join().result(), StandardCharsets.UTF_8));
    }

    @Test
    void aFollowerWaitsUntilItAppliedTheForwardedWriteItselfOnlyWhenAsked() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.appliedIndex = 0;
        CompletableFuture<Applied> quick = follower.forwarder.apply(bytes("q"), Duration.ofSeconds(10), false);
        assertEquals(1, quick.getNow(null).index(), "a plain write must not wait for the follower's apply");
        CompletableFuture<Applied> f = follower.forwarder.apply(bytes("x"), Duration.ofSeconds(10), true);
        sim.runFor(Duration.ofMillis(100));
        assertFalse(f.isDone(), "completed before the follower applied the entry");
        follower.appliedIndex = 2;
        sim.runFor(Duration.ofMillis(50));
        assertEquals(2, f.join().index());
    }

    @Test
    void aClientMovesPastAnUnreachableServerAndKeepsUsingTheLiveOne() {
        Node leader = server("l", true);
        Endpoint dead = new Endpoint("127.0.0.1", 2);
        Node client = client("c", List.of(dead, leader.endpoint()));
        for (int i = 0; i < 3; i++) {
            assertEquals("applied:w" + i, new String(client.forwarder.apply(bytes("w" + i), Duration.ofSeconds(10), false)
                    .join().result(), StandardCharsets.UTF_8));
        }
        assertEquals(leader.endpoint(), client.forwarder.serverList().get(0));
        assertTrue(client.forwarder.stats().get("failovers") <= 1, "failed over more than once");
        assertEquals(3, leader.forwarder.stats().get("served_apply"));
    }

    @Test
    void aClientThatKnowsNoServerFailsWithNoKnownServersAfterTheHold() {
        Node client = client("c", List.of());
        CompletableFuture<Applied> f = client.forwarder.apply(bytes("x"), Duration.ofSeconds(10), false);
        sim.runFor(HOLD.plusMillis(100));
        assertEquals("No known Consul servers", failure(f).getMessage());
    }

    @Test
    void aClientWriteIsHeldByItsServerDuringAnElection() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.appliedIndex = 1_000;
        Node client = client("c", List.of(follower.endpoint()));
        CompletableFuture<Applied> f = client.forwarder.apply(bytes("x"), Duration.ofSeconds(10), false);
        sim.runFor(Duration.ofSeconds(3));
        assertFalse(f.isDone());
        follower.consensus.leader = Optional.of(leader.info());
        sim.runFor(Duration.ofSeconds(1));
        assertEquals("applied:x", new String(f.join().result(), StandardCharsets.UTF_8));
        assertEquals(1, follower.forwarder.stats().get("applies_to_leader"));
    }

    @Test
    void aReadThatArrivedOverALeaderHopIsNotForwardedAgain() {
        Node other = server("o", true);
        Node notLeader = server("n", false);
        notLeader.consensus.leader = Optional.of(other.info());
        HttpRequest req = request("GET", "/v1/kv/k", Map.of(), Map.of(Forwarder.FORWARDED_HEADER, Forwarder.HOP_LEADER));
        HttpResponse r = notLeader.forwarder.readOnLeader(req, notLeader::localRead).join();
        assertEquals(500, r.status());
        assertEquals("true", r.headers().get(Forwarder.NOT_LEADER_HEADER));
        assertEquals(0, other.forwarder.stats().get("served_http"));
    }

    @Test
    void aFollowerReadGoesToTheLeaderWithTheLeaderMarker() {
        Node leader = server("l", true);
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        HttpResponse r = follower.forwarder.readOnLeader(request("GET", "/v1/kv/k", Map.of(), Map.of()),
                follower::localRead).join();
        assertEquals(200, r.status());
        assertEquals("served by l, hop leader", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void requestsForAnotherDatacenterGoToOneOfItsServersAndNeverBounceFurther() {
        Node remote = server("r", true);
        Node local = server("s", true);
        local.directory.put("dc2", List.of(new Endpoint("127.0.0.1", 3), remote.endpoint()));
        HttpRequest req = request("GET", "/v1/kv/k", Map.of("dc", List.of("dc2")), Map.of());
        for (int i = 0; i < 4; i++) {
            HttpResponse r = local.forwarder.forwardIfRemote(req).orElseThrow().join();
            assertEquals("served by r, hop dc", new String(r.body(), StandardCharsets.UTF_8));
        }
        assertEquals(Optional.empty(), local.forwarder.forwardIfRemote(
                request("GET", "/v1/kv/k", Map.of("dc", List.of("DC1")), Map.of())));
        HttpRequest bounced = request("GET", "/v1/kv/k", Map.of("dc", List.of("dc2")),
                Map.of(Forwarder.FORWARDED_HEADER, Forwarder.HOP_DC));
        assertEquals("No path to datacenter", failure(local.forwarder.forwardIfRemote(bounced).orElseThrow())
                .getMessage());
        assertEquals("No path to datacenter", failure(local.forwarder.forwardIfRemote(
                request("GET", "/v1/kv/k", Map.of("dc", List.of("dc9")), Map.of())).orElseThrow()).getMessage());
    }

    @Test
    void aClientForwardsEverythingToAServerButRefusesForwardedRequests() {
        Node server = server("s", true);
        Node client = client("c", List.of(server.endpoint()));
        HttpResponse r = client.forwarder.forwardIfRemote(request("GET", "/v1/catalog/nodes", Map.of(), Map.of()))
                .orElseThrow().join();
        assertEquals("served by s, hop client", new String(r.body(), StandardCharsets.UTF_8));
        HttpRequest forwarded = request("GET", "/v1/kv/k", Map.of(), Map.of(Forwarder.FORWARDED_HEADER,
                Forwarder.HOP_CLIENT));
        assertEquals(500, ((HttpError) failure(client.forwarder.forwardIfRemote(forwarded).orElseThrow())).status());
    }

    @Test
    void httpDeadlineCoversTheBlockingWaitAndTheHolds() {
        Node n = server("s", true);
        Duration plain = n.forwarder.httpDeadline(request("GET", "/v1/kv/k", Map.of(), Map.of()));
        Duration blocking = n.forwarder.httpDeadline(request("GET", "/v1/kv/k",
                Map.of("index", List.of("5"), "wait", List.of("160s")), Map.of()));
        assertEquals(plain.plusSeconds(170), blocking); // 160 s + 1/16 jitter
        Duration capped = n.forwarder.httpDeadline(request("GET", "/v1/kv/k",
                Map.of("index", List.of("5"), "wait", List.of("1h")), Map.of()));
        assertEquals(plain.plus(Duration.ofMinutes(10)).plus(Duration.ofMinutes(10).dividedBy(16)), capped);
        assertTrue(plain.compareTo(HOLD.multipliedBy(2)) > 0);
    }

    // ---------------------------------------------------------------- request ids (exactly-once writes)

    /** A leader whose consensus applies to a real state store. */
    private Node leaderWithStore(String name) {
        Node n = server(name, true);
        n.consensus.store = new StateStore(Runnable::run);
        return n;
    }

    private static byte[] createOnly(String key, String value) {
        // cas=0: written only if the key does not exist, so a second application answers false.
        return new Command.KvSet(key, bytes(value), 0, OptionalLong.of(0)).encode();
    }

    @Test
    void aClientWriteWhoseReplyIsLostIsSentAgainWithTheSameIdAndAnsweredWithTheFirstResult() {
        Node leader = leaderWithStore("l");
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put(Forwarder.METHOD_APPLY, 1);
        CompletableFuture<Applied> f = client.forwarder.apply(createOnly("k", "v"), Duration.ofSeconds(10), false);
        sim.runFor(Duration.ofSeconds(1));
        Applied a = f.join();
        assertEquals(new CommandResult.Bool(true), CommandResult.decode(a.result()), "the retry answered false");
        assertEquals(1, a.index(), "the index of the first application");
        List<byte[]> sent = client.transport.sent(Forwarder.METHOD_APPLY);
        assertEquals(2, sent.size(), "the write was not sent again");
        assertArrayEquals(sent.get(0), sent.get(1), "the retry is not the same request");
        Command.Dedup d = assertInstanceOf(Command.Dedup.class,
                Command.decode(RpcCodec.decodeApply(sent.get(0)).command()));
        assertEquals(OptionalLong.of(1), leader.consensus.store.requestIndex(d.id()));
        assertEquals(1, leader.consensus.store.kvGet("k").value().orElseThrow().modifyIndex());
        assertEquals(2, leader.consensus.applied.size(), "both attempts reached the log");
        assertEquals(1, client.forwarder.stats().get("repeats"));
    }

    @Test
    void aFollowerResendsALostApplyToTheLeaderWithTheSameId() {
        Node leader = leaderWithStore("l");
        Node follower = server("f", false);
        follower.consensus.leader = Optional.of(leader.info());
        follower.transport.loseReplies.put(Forwarder.METHOD_APPLY, 1);
        CompletableFuture<Applied> f = follower.forwarder.apply(createOnly("k", "v"), Duration.ofSeconds(10), false);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(new CommandResult.Bool(true), CommandResult.decode(f.join().result()));
        List<byte[]> sent = follower.transport.sent(Forwarder.METHOD_APPLY);
        assertEquals(2, sent.size());
        assertArrayEquals(sent.get(0), sent.get(1));
        assertEquals(1, follower.forwarder.stats().get("repeats"));
        assertEquals(1, leader.consensus.store.kvGet("k").value().orElseThrow().modifyIndex());
    }

    @Test
    void aCommandThatCarriesTheRequestsIdIsSentAsItIsAndOthersGetANewIdEach() {
        Node leader = leaderWithStore("l");
        RequestId id = new RequestId(5, 5);
        byte[] wrapped = new Command.Dedup(id, 1, new Command.KvSet("a", bytes("1"), 0, OptionalLong.empty()))
                .encode();
        leader.forwarder.apply(wrapped, Duration.ofSeconds(10), false).join();
        assertEquals(OptionalLong.of(1), leader.consensus.store.requestIndex(id));
        leader.forwarder.apply(createOnly("b", "1"), Duration.ofSeconds(10), false).join();
        leader.forwarder.apply(createOnly("c", "1"), Duration.ofSeconds(10), false).join();
        assertEquals(3, leader.consensus.store.dedupEntries(), "plain commands were not given ids of their own");
    }

    @Test
    void aWriteIsNotSentAgainWhenTheConnectionBreaksAfterTheResendHorizon() {
        Node leader = leaderWithStore("l");
        Node client = client("c", List.of(leader.endpoint()));
        client.transport.loseReplies.put(Forwarder.METHOD_APPLY, 1);
        client.transport.loseAfter = Forwarder.RESEND_HORIZON.plusSeconds(1);
        CompletableFuture<Applied> f = client.forwarder.apply(createOnly("k", "v"), Duration.ofSeconds(10), false);
        sim.runFor(Forwarder.RESEND_HORIZON.plusSeconds(5));
        HttpError e = assertInstanceOf(HttpError.class, failure(f));
        assertEquals(500, e.status());
        assertTrue(e.getMessage().contains("may or may not have been applied"), e.getMessage());
        assertEquals(1, client.transport.sent(Forwarder.METHOD_APPLY).size());
        assertEquals(1, client.forwarder.stats().get("not_resent"));
    }

    @Test
    void aForwardedWriteRequestKeepsOneRequestIdOverEveryServerItIsSentTo() {
        Node s1 = server("s1", true);
        Node s2 = server("s2", true);
        Node client = client("c", List.of(s1.endpoint(), s2.endpoint()));
        client.transport.loseReplies.put(Forwarder.METHOD_HTTP, 1);
        HttpRequest put = new HttpRequest("PUT", "/v1/kv/k", Map.of("cas", List.of("0")), Map.of(), bytes("v"), "t");
        CompletableFuture<HttpResponse> r = client.forwarder.forwardIfRemote(put).orElseThrow();
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(200, r.join().status());
        List<HttpRequest> served = new ArrayList<>(s1.served);
        served.addAll(s2.served);
        assertEquals(2, served.size(), "the lost reply was not followed by a second attempt");
        String id = served.get(0).headers().get(Forwarder.REQUEST_ID_HEADER);
        assertEquals(id, served.get(1).headers().get(Forwarder.REQUEST_ID_HEADER));
        RequestId.parse(id);
        // Reads carry none.
        client.forwarder.forwardIfRemote(request("GET", "/v1/kv/k", Map.of(), Map.of())).orElseThrow().join();
        served = new ArrayList<>(s1.served);
        served.addAll(s2.served);
        assertTrue(served.stream().filter(q -> q.method().equals("GET"))
                .noneMatch(q -> q.headers().containsKey(Forwarder.REQUEST_ID_HEADER)));
    }

    @Test
    void theRequestIdOfAWriteComesFromItsHeaderOrIsNew() {
        Node s = server("s", true);
        RequestId id = new RequestId(0x1234, 99);
        assertEquals(id, s.forwarder.requestId(request("PUT", "/v1/kv/k", Map.of(),
                Map.of(Forwarder.REQUEST_ID_HEADER, id.toString()))));
        HttpError bad = org.junit.jupiter.api.Assertions.assertThrows(HttpError.class, () -> s.forwarder.requestId(
                request("PUT", "/v1/kv/k", Map.of(), Map.of(Forwarder.REQUEST_ID_HEADER, "not-an-id"))));
        assertEquals(400, bad.status());
        RequestId a = s.forwarder.requestId(request("PUT", "/v1/kv/k", Map.of(), Map.of()));
        RequestId b = s.forwarder.requestId(request("PUT", "/v1/kv/k", Map.of(), Map.of()));
        assertTrue(!a.equals(b), "two requests got the same id");
    }

    // ---------------------------------------------------------------- doubles

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest request(String method, String path, Map<String, List<String>> query,
                                       Map<String, String> headers) {
        return new HttpRequest(method, path, query, headers, new byte[0], "test");
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertTrue(f.isCompletedExceptionally(), "expected a failure");
        try {
            f.join();
            throw new AssertionError("unreachable");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private int nextPort = 40_000;

    private Node server(String name, boolean leader) {
        return node(name, Optional.of(new FakeConsensus(leader)), Map.of());
    }

    private Node client(String name, List<Endpoint> servers) {
        return node(name, Optional.empty(), Map.of("dc1", servers));
    }

    private Node node(String name, Optional<FakeConsensus> consensus, Map<String, List<Endpoint>> dirs) {
        Endpoint ep = new Endpoint("127.0.0.1", nextPort++);
        FakeTransport t = new FakeTransport(ep);
        network.put(ep, t);
        Node n = new Node(name, t, consensus.orElse(null));
        n.directory.putAll(dirs);
        n.forwarder = new Forwarder("dc1", HOLD, t, consensus.map(c -> (Consensus) c), () -> n.appliedIndex,
                new FakeMembership(), dc -> n.directory.getOrDefault(dc, List.of()), sim.clock(), sim,
                new SplittableRandom(42));
        n.forwarder.setLocalDispatch(req -> {
            n.served.add(req);
            return CompletableFuture.completedFuture(HttpResponse.text(200, "served by "
                    + name + ", hop " + req.headers().getOrDefault(Forwarder.FORWARDED_HEADER, "none")));
        });
        n.forwarder.start();
        return n;
    }

    private static final class Node {
        final String name;
        final FakeTransport transport;
        final FakeConsensus consensus;
        final Map<String, List<Endpoint>> directory = new HashMap<>();
        final List<HttpRequest> served = new ArrayList<>();
        volatile long appliedIndex;
        Forwarder forwarder;

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

        CompletableFuture<HttpResponse> localRead() {
            return consensus.readBarrier(ReadConsistency.DEFAULT, Duration.ofSeconds(1))
                    .thenApply(i -> HttpResponse.text(200, "local read on " + name));
        }
    }

    /** Calls go straight to the target's handler on the caller's thread; an unknown target is UNAVAILABLE. */
    private final class FakeTransport implements Transport {
        final Endpoint local;
        final Map<String, RequestHandler> handlers = new ConcurrentHashMap<>();
        /** Per method, how many of this transport's next calls lose their reply after the peer served them. */
        final Map<String, Integer> loseReplies = new ConcurrentHashMap<>();
        /** How long after the peer served it a lost reply is reported as UNAVAILABLE (virtual time). */
        Duration loseAfter = Duration.ZERO;
        /** Every call made, as method and request bytes. */
        final List<Map.Entry<String, byte[]>> calls = new ArrayList<>();

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
            throw new UnsupportedOperationException("not used by the forwarder");
        }

        @Override
        public CompletableFuture<byte[]> call(Endpoint target, String method, byte[] request, Duration timeout) {
            FakeTransport peer = network.get(target);
            if (peer == null) {
                return CompletableFuture.failedFuture(new TransportException(TransportException.Code.UNAVAILABLE,
                        "nobody at " + target));
            }
            RequestHandler h = peer.handlers.get(method);
            if (h == null) {
                return CompletableFuture.failedFuture(new TransportException(TransportException.Code.NO_HANDLER, method));
            }
            calls.add(Map.entry(method, request.clone()));
            CompletableFuture<byte[]> reply;
            try {
                reply = h.handle(null, request);
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
            reply.whenComplete((r, t) -> sim.schedule(loseAfter, () -> lost.completeExceptionally(
                    new TransportException(TransportException.Code.UNAVAILABLE, "connection to " + target
                            + " reset after the call was served"))));
            return lost;
        }

        /** The requests of the calls made for {@code method}, in order. */
        List<byte[]> sent(String method) {
            return calls.stream().filter(c -> c.getKey().equals(method)).map(Map.Entry::getValue).toList();
        }

        @Override
        public OutboundStream openStream(Endpoint target, String method, Duration timeout) {
            throw new UnsupportedOperationException("not used by the forwarder");
        }

        @Override
        public int maxMessageBytes() {
            return 1 << 20;
        }

        @Override
        public void close() {
        }
    }

    /** Leader or not, by a flag; a leader applies at once, numbering entries from 1. */
    private static final class FakeConsensus implements Consensus {
        final boolean leads;
        volatile Optional<ServerInfo> leader = Optional.empty();
        final List<String> applied = new ArrayList<>();
        /** When set, commands apply to this real state machine and its results are returned. */
        StateStore store;

        FakeConsensus(boolean leads) {
            this.leads = leads;
        }

        @Override
        public CompletableFuture<Applied> apply(byte[] command, Duration timeout) {
            if (!leads) {
                return CompletableFuture.failedFuture(new NotLeaderException(leader));
            }
            String c = new String(command, StandardCharsets.UTF_8);
            applied.add(c);
            if (store != null) {
                return CompletableFuture.completedFuture(new Applied(applied.size(),
                        store.apply(applied.size(), 1, command)));
            }
            return CompletableFuture.completedFuture(new Applied(applied.size(), bytes("applied:" + c)));
        }

        @Override
        public CompletableFuture<Long> readBarrier(ReadConsistency mode, Duration timeout) {
            return leads || mode == ReadConsistency.STALE ? CompletableFuture.completedFuture(0L)
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

        @Override
        public Duration lastContact() {
            return Duration.ZERO;
        }

        @Override
        public long appliedIndex() {
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

    /** A one-member pool; server lists come from the test's directory instead. */
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
            throw new UnsupportedOperationException();
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
