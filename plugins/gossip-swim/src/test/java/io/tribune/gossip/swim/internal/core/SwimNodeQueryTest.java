package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Queries in the core, driven by hand: packets are delivered instantly (unless a node is cut or
 * answers are dropped), and each node's "handler" answers the moment its {@link SwimNode.QueryRequest}
 * is drained, as the driver would after running a handler that completes at once.
 */
class SwimNodeQueryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final SwimTiming timing = SwimTiming.lan();
    private final Map<Addr, SwimNode> byAddr = new LinkedHashMap<>();
    /** Per node: the handler's outcome, {answer, null} or {null, failure}; absent: the node holds its answers. */
    private final Map<String, Function<SwimNode.QueryRequest, Object[]>> handlers = new LinkedHashMap<>();
    /** Per node: the query requests it drained, in order. */
    private final Map<String, List<SwimNode.QueryRequest>> requests = new LinkedHashMap<>();
    /** Per node: finished queries, with the time they finished. */
    private final Map<String, List<Object[]>> done = new LinkedHashMap<>();
    private final Set<String> cut = new HashSet<>();
    private boolean dropAnswers;
    private long now;

    private SwimNode node(String name) {
        Addr a = new Addr("10.0.0." + (byAddr.size() + 1), 8301);
        SwimNode n = new SwimNode(name, a, Map.of(), timing, new SplittableRandom(byAddr.size() + 1), 1400);
        byAddr.put(a, n);
        requests.put(name, new ArrayList<>());
        done.put(name, new ArrayList<>());
        handlers.put(name, q -> new Object[] {(name + ":" + new String(q.payload(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8), null});
        n.start(now);
        pump();
        return n;
    }

    private void pump() {
        boolean any = true;
        while (any) {
            any = false;
            for (SwimNode n : List.copyOf(byAddr.values())) {
                for (Object e : n.drainEvents()) {
                    if (e instanceof SwimNode.QueryRequest q) {
                        any = true;
                        requests.get(n.name()).add(q);
                        Function<SwimNode.QueryRequest, Object[]> h = handlers.get(n.name());
                        if (h != null && !cut.contains(n.name())) {
                            Object[] r = h.apply(q);
                            n.answerQuery(q, (byte[]) r[0], (String) r[1], now);
                        }
                    } else if (e instanceof SwimNode.QueryDone d) {
                        done.get(n.name()).add(new Object[] {d, now});
                    }
                }
                for (SwimNode.Out o : n.drainOutputs()) {
                    any = true;
                    if (o instanceof SwimNode.Packet p) {
                        SwimNode to = byAddr.get(p.to());
                        if (to == null || cut.contains(to.name()) || cut.contains(n.name())) {
                            continue;
                        }
                        List<Msg> msgs = p.msgs();
                        if (dropAnswers) {
                            msgs = msgs.stream().filter(m -> !(m instanceof Msg.QueryAnswer)).toList();
                        }
                        if (!msgs.isEmpty()) {
                            to.receivePacket(msgs, now);
                        }
                    } else if (o instanceof SwimNode.StreamCall c) {
                        SwimNode to = byAddr.get(c.to());
                        if (to != null && !cut.contains(to.name()) && !cut.contains(n.name())) {
                            Msg resp = to.handleStream(c.request(), now);
                            if (resp != null) {
                                n.streamResponse(resp, now);
                            }
                        }
                    }
                }
            }
        }
    }

    private void advance(long millis) {
        long end = now + millis;
        while (now < end) {
            now += 10;
            for (SwimNode n : byAddr.values()) {
                if (!cut.contains(n.name())) {
                    n.tick(now);
                }
            }
            pump();
        }
    }

    private List<SwimNode> cluster(String... names) {
        List<SwimNode> out = new ArrayList<>();
        for (String n : names) {
            out.add(node(n));
        }
        for (int i = 1; i < out.size(); i++) {
            Msg resp = out.get(0).handleStream(out.get(i).localState(true), now);
            out.get(i).streamResponse(resp, now);
            pump();
        }
        advance(3000);
        for (SwimNode n : out) {
            assertEquals(out.size(), n.aliveCount(), n.name() + " sees all alive");
        }
        return out;
    }

    /** Runs until {@code origin} finished a query; returns it with the time it took. */
    private Object[] awaitDone(SwimNode origin, long startedAt, long limitMillis) {
        long end = now + limitMillis;
        while (done.get(origin.name()).isEmpty() && now < end) {
            advance(10);
        }
        assertEquals(1, done.get(origin.name()).size(), "one QueryDone at " + origin.name());
        Object[] d = done.get(origin.name()).remove(0);
        return new Object[] {((SwimNode.QueryDone) d[0]).result(), (long) d[1] - startedAt};
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void queryReachesEveryMemberAndCompletesWhenAllHaveAnswered() {
        List<SwimNode> c = cluster("a", "b", "c", "d", "e");
        SwimNode a = c.get(0);
        long start = now;
        long id = a.startQuery("echo", "hi".getBytes(StandardCharsets.UTF_8), TIMEOUT, now);
        pump();
        Object[] d = awaitDone(a, start, 10_000);
        QueryResult r = (QueryResult) d[0];
        assertEquals("echo", r.name());
        assertEquals(5, r.asked());
        for (SwimNode n : c) {
            MemberAnswer ans = r.answer(n.name());
            assertEquals(MemberAnswer.Outcome.ANSWERED, ans.outcome(), n.name());
            assertEquals(n.name() + ":hi", text(ans.answer()));
        }
        assertTrue((long) d[1] < TIMEOUT.toMillis(), "completed when all answered, before the timeout: " + d[1] + " ms");
        // Gossip reaches everyone within a few rounds of 200 ms.
        assertTrue((long) d[1] <= 5 * timing.gossipInterval().toMillis(), "took " + d[1] + " ms");
        assertEquals(0, a.pendingQueries());
        assertTrue(id >= 0);
    }

    @Test
    void everyMemberHandlesAQueryOnceThoughGossipRepeatsIt() {
        List<SwimNode> c = cluster("a", "b", "c", "d", "e");
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        advance(TIMEOUT.toMillis() + 1000);
        long repeats = 0;
        for (SwimNode n : c) {
            assertEquals(1, requests.get(n.name()).size(), n.name() + " handled the query once");
            repeats += n.counters().getOrDefault("query.duplicate", 0L) + n.counters().getOrDefault("query.echo", 0L);
        }
        assertTrue(repeats > 0, "gossip did bring copies back, and they were suppressed");
        assertEquals(1, done.get("a").size(), "one result");
    }

    @Test
    void failingHandlerIsReportedAsThatMembersFailure() {
        List<SwimNode> c = cluster("a", "b", "c");
        handlers.put("b", q -> new Object[] {null, "keyring: key not installed"});
        c.get(0).startQuery("keyring", new byte[0], TIMEOUT, now);
        pump();
        QueryResult r = (QueryResult) awaitDone(c.get(0), now, 10_000)[0];
        assertEquals(MemberAnswer.Outcome.FAILED, r.answer("b").outcome());
        assertEquals("keyring: key not installed", r.answer("b").failure());
        assertEquals(0, r.answer("b").answer().length);
        assertEquals(2, r.count(MemberAnswer.Outcome.ANSWERED));
    }

    @Test
    void unreachableMemberIsReportedAsNotAnsweringAtTheTimeout() {
        List<SwimNode> c = cluster("a", "b", "c");
        cut.add("c");
        long start = now;
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        Object[] d = awaitDone(c.get(0), start, TIMEOUT.toMillis() + 1000);
        QueryResult r = (QueryResult) d[0];
        assertEquals(3, r.asked(), "c is still ALIVE in the view, so it is asked");
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer("c").outcome());
        assertEquals(2, r.count(MemberAnswer.Outcome.ANSWERED));
        assertEquals(TIMEOUT.toMillis(), (long) d[1], "completes at the timeout, to the tick");
        assertEquals(1L, c.get(0).counters().get("query.timed-out"));
    }

    private long retryMillis() {
        return SwimNode.QUERY_RETRY_GOSSIP_ROUNDS * timing.gossipInterval().toMillis();
    }

    @Test
    void lostAnswerIsSentAgainWhenTheOriginRetries() {
        List<SwimNode> c = cluster("a", "b", "c");
        dropAnswers = true;
        long start = now;
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        advance(retryMillis() - 20);
        assertTrue(done.get("a").isEmpty(), "answers lost so far");
        dropAnswers = false;
        Object[] d = awaitDone(c.get(0), start, TIMEOUT.toMillis());
        QueryResult r = (QueryResult) d[0];
        assertEquals(3, r.count(MemberAnswer.Outcome.ANSWERED), "recovered by the retry");
        assertEquals("b:", text(r.answer("b").answer()), "the kept answer, sent again");
        assertTrue((long) d[1] <= retryMillis() + 20, "at the first retry: " + d[1] + " ms");
        for (SwimNode n : c) {
            assertEquals(1, requests.get(n.name()).size(), n.name() + "'s handler still ran once");
        }
        assertEquals(1L, c.get(1).counters().get("query.answer.resent"));
        assertEquals(2L, c.get(0).counters().get("query.retried"), "one retry to each silent member");
    }

    @Test
    void memberThatMissedTheGossipGetsTheQueryFromTheOriginsRetry() {
        List<SwimNode> c = cluster("a", "b", "c");
        cut.add("c");
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        // Longer than gossip carries copies (4 transmissions per member at n = 3), past the first retry.
        advance(retryMillis() + 100);
        assertEquals(0, requests.get("c").size());
        cut.remove("c");
        QueryResult r = (QueryResult) awaitDone(c.get(0), now, TIMEOUT.toMillis())[0];
        assertEquals(3, r.count(MemberAnswer.Outcome.ANSWERED));
        assertEquals(1, requests.get("c").size());
        assertTrue(c.get(0).counters().get("query.retried") >= 2, "the first retry was lost, a later one arrived");
    }

    @Test
    void retriesToAMemberThatIsDownAreBounded() {
        List<SwimNode> c = cluster("a", "b", "c");
        cut.add("c");
        long start = now;
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        Object[] d = awaitDone(c.get(0), start, TIMEOUT.toMillis() + 100);
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, ((QueryResult) d[0]).answer("c").outcome());
        assertEquals((long) SwimNode.QUERY_RETRIES, c.get(0).counters().get("query.retried"), "retries to c only");
    }

    @Test
    void failedAndLeftMembersAreNotAsked() {
        List<SwimNode> c = cluster("a", "b", "c", "d");
        c.get(3).leave(now);
        pump();
        advance(2000);
        cut.add("d");
        cut.add("c");
        // Let a declare c failed (suspicion floor at n = 4 plus the probes).
        advance(20_000);
        assertEquals(MemberStatus.LEFT, c.get(0).member("d").status());
        assertEquals(MemberStatus.FAILED, c.get(0).member("c").status());
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        QueryResult r = (QueryResult) awaitDone(c.get(0), now, 10_000)[0];
        assertEquals(List.of("a", "b"), List.copyOf(r.answers().keySet()));
        assertEquals(2, r.count(MemberAnswer.Outcome.ANSWERED));
    }

    @Test
    void loneMemberCompletesWithItsOwnAnswerAtOnce() {
        SwimNode a = node("a");
        a.startQuery("echo", "x".getBytes(StandardCharsets.UTF_8), TIMEOUT, now);
        pump();
        Object[] d = awaitDone(a, now, 10);
        QueryResult r = (QueryResult) d[0];
        assertEquals(1, r.asked());
        assertEquals("a:x", text(r.answer("a").answer()));
        assertEquals(0L, (long) d[1], "no tick needed");
    }

    @Test
    void answerAfterTheDeadlineIsNotSent() {
        List<SwimNode> c = cluster("a", "b");
        handlers.remove("b");
        c.get(0).startQuery("echo", new byte[0], Duration.ofMillis(300), now);
        pump();
        advance(1000);
        SwimNode.QueryRequest q = requests.get("b").get(0);
        c.get(1).answerQuery(q, new byte[] {1}, null, now);
        assertEquals(1L, c.get(1).counters().get("query.answer.late"));
        assertTrue(c.get(1).drainOutputs().isEmpty(), "nothing sent");
        QueryResult r = (QueryResult) awaitDone(c.get(0), now, 10)[0];
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer("b").outcome());
    }

    @Test
    void oversizedAnswerBecomesAFailureAndLongFailureMessagesAreCut() {
        List<SwimNode> c = cluster("a", "b", "c");
        int max = c.get(0).queryLimits().maxAnswerBytes();
        handlers.put("b", q -> new Object[] {new byte[max + 1], null});
        handlers.put("c", q -> new Object[] {null, "é".repeat(max)});
        c.get(0).startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        QueryResult r = (QueryResult) awaitDone(c.get(0), now, 10_000)[0];
        assertEquals(MemberAnswer.Outcome.FAILED, r.answer("b").outcome());
        assertEquals("answer of " + (max + 1) + " bytes exceeds the limit of " + max + " bytes", r.answer("b").failure());
        assertEquals(MemberAnswer.Outcome.FAILED, r.answer("c").outcome());
        assertEquals("é".repeat(max / 2), r.answer("c").failure(), "cut at the limit, between characters");
    }

    @Test
    void answersFromUnaskedMembersAndRepeatedAnswersAreIgnored() {
        List<SwimNode> c = cluster("a", "b", "c");
        handlers.remove("b");
        handlers.remove("c");
        SwimNode a = c.get(0);
        long id = a.startQuery("echo", new byte[0], TIMEOUT, now);
        pump();
        a.receivePacket(List.of(new Msg.QueryAnswer(id, "stranger", new byte[] {9}, null)), now);
        a.receivePacket(List.of(new Msg.QueryAnswer(id, "b", new byte[] {1}, null)), now);
        a.receivePacket(List.of(new Msg.QueryAnswer(id, "b", new byte[] {2}, null)), now);
        a.receivePacket(List.of(new Msg.QueryAnswer(id + 1, "b", new byte[] {3}, null)), now);
        pump();
        assertTrue(done.get("a").isEmpty(), "c has not answered yet");
        a.receivePacket(List.of(new Msg.QueryAnswer(id, "c", new byte[0], "no")), now);
        pump();
        QueryResult r = (QueryResult) awaitDone(a, now, 10)[0];
        assertEquals("no", r.answer("c").failure());
        assertNull(r.answer("stranger"));
        assertArrayEquals(new byte[] {1}, r.answer("b").answer(), "the first answer counts");
        assertEquals(1L, a.counters().get("query.answer.unasked"));
        assertEquals(1L, a.counters().get("query.answer.duplicate"));
        assertEquals(1L, a.counters().get("query.answer.stale"));
    }

    @Test
    void queriesOutOfBoundsAreRefusedAndChangeNothing() {
        SwimNode a = node("a");
        QueryLimits l = a.queryLimits();
        assertEquals(QueryLimits.DEFAULT, l, "a 1,400-byte packet holds the default limits");
        List<Runnable> bad = List.of(
                () -> a.startQuery("", new byte[0], TIMEOUT, now),
                () -> a.startQuery("q".repeat(l.maxNameBytes() + 1), new byte[0], TIMEOUT, now),
                () -> a.startQuery("é".repeat(l.maxNameBytes() / 2 + 1), new byte[0], TIMEOUT, now),
                () -> a.startQuery("q", new byte[l.maxPayloadBytes() + 1], TIMEOUT, now),
                () -> a.startQuery("q", new byte[0], Duration.ZERO, now),
                () -> a.startQuery("q", new byte[0], Duration.ofMillis(-1), now),
                () -> a.startQuery("q", new byte[0], l.maxTimeout().plusMillis(1), now));
        for (Runnable r : bad) {
            assertThrows(IllegalArgumentException.class, r::run);
        }
        assertEquals(0, a.pendingQueries());
        assertEquals(0, a.queuedBroadcasts());
        assertTrue(a.drainEvents().isEmpty());
        assertTrue(a.drainOutputs().isEmpty());
        // At the limits it is accepted, and a sub-millisecond timeout rounds up, not to zero.
        a.startQuery("q".repeat(l.maxNameBytes()), new byte[l.maxPayloadBytes()], l.maxTimeout(), now);
        handlers.remove("a");
        a.startQuery("q", new byte[0], Duration.ofNanos(1), now);
        assertEquals(2, a.pendingQueries());
    }

    @Test
    void tooManyQueriesInFlightAreRefused() {
        SwimNode a = node("a");
        handlers.remove("a");
        for (int i = 0; i < SwimNode.MAX_PENDING_QUERIES; i++) {
            a.startQuery("q", new byte[0], TIMEOUT, now);
        }
        assertThrows(IllegalStateException.class, () -> a.startQuery("q", new byte[0], TIMEOUT, now));
        assertEquals(SwimNode.MAX_PENDING_QUERIES, a.pendingQueries());
        advance(TIMEOUT.toMillis());
        assertEquals(0, a.pendingQueries(), "all timed out");
        a.startQuery("q", new byte[0], TIMEOUT, now);
    }

    @Test
    void leftOrUnstartedNodeRefusesToQuery() {
        SwimNode fresh = new SwimNode("z", new Addr("10.0.0.9", 1), Map.of(), timing, new SplittableRandom(1), 1400);
        assertThrows(IllegalStateException.class, () -> fresh.startQuery("q", new byte[0], TIMEOUT, 0));
        SwimNode a = node("a");
        a.leave(now);
        assertThrows(IllegalStateException.class, () -> a.startQuery("q", new byte[0], TIMEOUT, now));
    }

    @Test
    void limitsShrinkWithThePacketBudgetAndAQueryAtTheLimitsAlwaysFitsOnePacket() {
        String longName = "n".repeat(WireCodec.MAX_NAME_BYTES);
        for (int budget : new int[] {256, 483, 512, 1000, 1371, 1400, 8971}) {
            for (String host : new String[] {"10.0.0.1", "fd00:1234:5678:9abc:def0:1234:5678:9abc", "h".repeat(255)}) {
                QueryLimits l = SwimNode.queryLimits(longName, host, budget);
                assertTrue(l.maxPayloadBytes() <= WireCodec.MAX_QUERY_PAYLOAD_BYTES);
                assertTrue(l.maxAnswerBytes() <= WireCodec.MAX_QUERY_ANSWER_BYTES);
                int room = budget - WireCodec.PACKET_HEADER_BYTES - WireCodec.PER_MESSAGE_OVERHEAD;
                Msg q = new Msg.Query(Long.MAX_VALUE, longName, new Addr(host, 65535), "q".repeat(l.maxNameBytes()),
                        WireCodec.MAX_QUERY_TIMEOUT_MILLIS, new byte[l.maxPayloadBytes()]);
                Msg ok = new Msg.QueryAnswer(Long.MAX_VALUE, longName, new byte[l.maxAnswerBytes()], null);
                Msg failed = new Msg.QueryAnswer(Long.MAX_VALUE, longName, new byte[0], "f".repeat(l.maxAnswerBytes()));
                if (l.maxPayloadBytes() > 0) {
                    assertTrue(WireCodec.size(q) <= room, "query fits " + budget + " with host of " + host.length());
                }
                assertTrue(WireCodec.size(ok) <= room, "answer fits " + budget);
                assertTrue(WireCodec.size(failed) <= room, "failure fits " + budget);
            }
        }
        assertEquals(1024, SwimNode.queryLimits("agent-1", "127.0.0.1", 1371).maxPayloadBytes(), "encrypted default");
        assertEquals(1024, SwimNode.queryLimits(longName, "fd00:1234:5678:9abc:def0:1234:5678:9abc", 1371).maxAnswerBytes());
    }

    @Test
    void truncationNeverSplitsACharacter() {
        assertEquals("abc", SwimNode.truncateUtf8("abc", 3));
        assertEquals("ab", SwimNode.truncateUtf8("abc", 2));
        assertEquals("a", SwimNode.truncateUtf8("aé", 2), "é takes two bytes");
        assertEquals("", SwimNode.truncateUtf8("\uD83D\uDE00", 3), "a surrogate pair takes four bytes");
        assertEquals("\uD83D\uDE00", SwimNode.truncateUtf8("\uD83D\uDE00x", 4));
    }
}
