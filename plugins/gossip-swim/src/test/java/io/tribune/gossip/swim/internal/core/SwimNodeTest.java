package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.UserEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Drives {@link SwimNode}s by hand: a tiny in-test network delivers packets instantly unless a
 * node is "cut", and time moves only through {@link #advance(long)}. Named by paper section.
 */
class SwimNodeTest {
    private final SwimTiming timing = SwimTiming.lan();
    private final Map<Addr, SwimNode> byAddr = new LinkedHashMap<>();
    private final Map<String, List<Object>> events = new LinkedHashMap<>();
    private final Set<String> cut = new HashSet<>();
    private final List<SwimNode.Packet> sentLog = new ArrayList<>();
    private long now;

    private SwimNode node(String name) {
        Addr a = new Addr("10.0.0." + (byAddr.size() + 1), 8301);
        SwimNode n = new SwimNode(name, a, Map.of("role", name), timing, new SplittableRandom(byAddr.size() + 1), 1400);
        byAddr.put(a, n);
        events.put(name, new ArrayList<>());
        n.start(now);
        pump();
        return n;
    }

    /** Delivers everything outstanding (instantly), except to and from cut nodes. */
    private void pump() {
        boolean any = true;
        while (any) {
            any = false;
            for (SwimNode n : List.copyOf(byAddr.values())) {
                events.get(n.name()).addAll(n.drainEvents());
                for (SwimNode.Out o : n.drainOutputs()) {
                    any = true;
                    SwimNode to;
                    if (o instanceof SwimNode.Packet p) {
                        sentLog.add(p);
                        to = byAddr.get(p.to());
                        if (to != null && !cut.contains(to.name()) && !cut.contains(n.name())) {
                            to.receivePacket(p.msgs(), now);
                        }
                    } else if (o instanceof SwimNode.StreamCall c) {
                        to = byAddr.get(c.to());
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
        for (SwimNode n : byAddr.values()) {
            events.get(n.name()).addAll(n.drainEvents());
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

    private void join(SwimNode n, SwimNode seed) {
        Msg resp = seed.handleStream(n.localState(true), now);
        n.streamResponse(resp, now);
        pump();
    }

    private List<MemberEvent> memberEvents(String viewer, MemberEvent.Type type, String about) {
        List<MemberEvent> out = new ArrayList<>();
        for (Object e : events.get(viewer)) {
            if (e instanceof MemberEvent me && me.type() == type && me.member().name().equals(about)) {
                out.add(me);
            }
        }
        return out;
    }

    private List<SwimNode> trio() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        SwimNode c = node("c");
        join(b, a);
        join(c, a);
        advance(3000);
        for (SwimNode n : List.of(a, b, c)) {
            assertEquals(3, n.members().size(), n.name() + " knows all");
        }
        return List.of(a, b, c);
    }

    @Test
    void joinThroughPushPullIsSeenOnBothSidesWithTags() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        assertEquals(MemberStatus.ALIVE, a.member("b").status());
        assertEquals(Map.of("role", "b"), a.member("b").tags());
        assertEquals(1, memberEvents("a", MemberEvent.Type.JOIN, "b").size());
        assertEquals(1, memberEvents("b", MemberEvent.Type.JOIN, "a").size());
    }

    @Test
    void probesAreAckedAndKeepHealthAtZero() {
        List<SwimNode> t = trio();
        advance(10_000);
        for (SwimNode n : t) {
            assertTrue(n.counters().getOrDefault("probe.acked", 0L) >= 8, n.counters().toString());
            assertEquals(0, n.healthScore());
            assertEquals(0L, n.counters().getOrDefault("suspect.raised", 0L));
        }
    }

    @Test
    void unreachableMemberIsSuspectedThenDeclaredFailedAfterTheSuspicionTimeout() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        cut.add("c");
        // SWIM §3.1/§4.2: failed direct+indirect probe -> Suspect; suspicion timeout -> Dead.
        // Round robin over {b, c}: c is probed within 2 periods and the probe fails one period later,
        // while the suspicion floor (suspicionMult periods at n = 3) has not passed yet.
        long period = timing.probeInterval().toMillis();
        advance(3 * period + 100);
        assertEquals(MemberStatus.SUSPECT, a.member("c").status());
        assertTrue(a.counters().getOrDefault("probe.indirect", 0L) >= 1, "indirect probe tried first");
        // n = 3: k = min(suspicionMult - 2, n - 2) = 1; with b's confirmation the timeout is the floor,
        // suspicionMult * max(1, log10 3) * period (Lifeguard §IV-B), instead of 6x that.
        advance(timing.suspicionMult() * period + 3 * period);
        assertEquals(MemberStatus.FAILED, a.member("c").status());
        assertEquals(MemberStatus.FAILED, t.get(1).member("c").status());
        assertEquals(1, memberEvents("a", MemberEvent.Type.FAILED, "c").size());
    }

    @Test
    void suspectedMemberRefutesWithHigherIncarnation() {
        List<SwimNode> t = trio();
        SwimNode c = t.get(2);
        long inc = c.localMember().incarnation();
        // SWIM §4.2: a Suspect about oneself is answered with Alive at a higher incarnation.
        c.receivePacket(List.of(new Msg.Suspect("c", inc, "a")), now);
        pump();
        assertEquals(inc + 1, c.localMember().incarnation());
        assertEquals(1, c.healthScore(), "Lifeguard §IV-A: refuting raises the local health score");
        advance(2000);
        assertEquals(MemberStatus.ALIVE, t.get(0).member("c").status());
        assertEquals(inc + 1, t.get(0).member("c").incarnation());
    }

    @Test
    void handedOverInstanceStartsAboveTheOldIncarnationAndRefutesTheSuspicionOfTheGap() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        SwimNode old = t.get(2);
        old.receivePacket(List.of(new Msg.Suspect("c", 0, "b")), now);   // c at incarnation 1 now
        pump();
        advance(2000);
        long inc = old.localMember().incarnation();
        assertEquals(inc, a.member("c").incarnation());
        // A live update: the old instance stops answering (closed), peers start to suspect it...
        cut.add("c");
        long period = timing.probeInterval().toMillis();
        advance(3 * period + 100);
        assertEquals(MemberStatus.SUSPECT, a.member("c").status());
        // ...and the next instance, on the same address, continues from the handed-over incarnation.
        SwimNode next = new SwimNode("c", old.addr(), Map.of("role", "c"), timing, new SplittableRandom(9), 1400);
        next.resume(inc, old.eventClock());
        assertThrows(IllegalArgumentException.class, () -> next.resume(-1, 0));
        byAddr.put(old.addr(), next);
        next.start(now);
        assertEquals(inc + 1, next.localMember().incarnation(), "SWIM §4.2: above anything announced before");
        cut.remove("c");
        join(next, a);
        assertEquals(MemberStatus.ALIVE, a.member("c").status(), "the join's push-pull refutes the suspicion");
        assertEquals(inc + 1, a.member("c").incarnation());
        advance(timing.suspicionMaxTimeoutMult() * timing.suspicionMult() * period + 2000);
        for (SwimNode n : List.of(a, t.get(1))) {
            assertEquals(MemberStatus.ALIVE, n.member("c").status(), n.name());
            assertEquals(0, memberEvents(n.name(), MemberEvent.Type.FAILED, "c").size(), "no failure on " + n.name());
        }
        assertThrows(IllegalStateException.class, () -> next.resume(inc, 0), "only before start");
    }

    @Test
    void staleSuspicionAtLowerIncarnationIsIgnored() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        t.get(2).receivePacket(List.of(new Msg.Suspect("c", 0, "b")), now);
        pump();
        advance(2000);
        long inc = a.member("c").incarnation();
        assertTrue(inc >= 1);
        a.receivePacket(List.of(new Msg.Suspect("c", inc - 1, "b")), now);
        assertEquals(MemberStatus.ALIVE, a.member("c").status());
        assertTrue(a.counters().get("stale.suspect") >= 1);
    }

    @Test
    void deadMemberIsNotRevivedAtTheSameIncarnation() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        long inc = a.member("b").incarnation();
        a.receivePacket(List.of(new Msg.Dead("b", inc, "x", false)), now);
        assertEquals(MemberStatus.FAILED, a.member("b").status());
        a.receivePacket(List.of(new Msg.Alive("b", inc, b.addr(), Map.of("role", "b"))), now);
        assertEquals(MemberStatus.FAILED, a.member("b").status(), "same incarnation cannot revive");
        a.receivePacket(List.of(new Msg.Alive("b", inc + 1, b.addr(), Map.of("role", "b"))), now);
        pump();
        assertEquals(MemberStatus.ALIVE, a.member("b").status());
        assertEquals(2, memberEvents("a", MemberEvent.Type.JOIN, "b").size());
    }

    @Test
    void probeOfSuspectCarriesTheSuspicionToIt() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        cut.add("b");
        a.receivePacket(List.of(new Msg.Suspect("b", a.member("b").incarnation(), "x")), now);
        sentLog.clear();
        advance(1500);
        // Lifeguard §IV-C: the ping to a suspect carries the Suspect, so the suspect can refute at once.
        boolean buddy = sentLog.stream().anyMatch(p -> p.msgs().size() >= 2 && p.msgs().get(0) instanceof Msg.Ping
                && p.msgs().get(1) instanceof Msg.Suspect s && s.name().equals("b"));
        assertTrue(buddy, "ping to the suspect carries the Suspect");
        assertTrue(a.counters().get("probe.buddy") >= 1);
    }

    @Test
    void missingNacksRaiseLocalHealthButReceivedNacksDoNot() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        // Only c is unreachable: b answers a's ping-req with a nack, so a's health stays good.
        cut.add("c");
        advance(2500);
        assertTrue(a.counters().getOrDefault("nack.received", 0L) >= 1, a.counters().toString());
        assertEquals(0, a.healthScore());
    }

    @Test
    void userEventIsDeliveredOnceEvenWhenReceivedTwice() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        SwimNode b = t.get(1);
        long lt = a.broadcastUser("deploy", new byte[] {1}, false, now);
        advance(2000);
        Msg.User again = new Msg.User(lt, "deploy", new byte[] {1}, false);
        b.receivePacket(List.of(again), now);
        b.receivePacket(List.of(again), now);
        pump();
        long got = events.get("b").stream().filter(e -> e instanceof UserEvent u && u.name().equals("deploy")).count();
        assertEquals(1, got);
        assertTrue(b.eventClock() > lt, "Lamport: receiver's clock moves past the event time");
        assertTrue(b.counters().get("user.duplicate") >= 2);
    }

    @Test
    void oversizedUserEventAndTagsAreRefusedAndChangeNothing() {
        SwimNode a = node("a");
        assertThrows(IllegalArgumentException.class, () -> a.broadcastUser("x", new byte[600], false, now));
        assertEquals(0, a.eventClock());
        Map<String, String> big = Map.of("k", "v".repeat(600));
        assertThrows(IllegalArgumentException.class, () -> a.updateTags(big, now));
        assertEquals(Map.of("role", "a"), a.localMember().tags());
    }

    @Test
    void forceLeaveTurnsFailedIntoLeftEverywhereAndPruneReaps() {
        List<SwimNode> t = trio();
        SwimNode a = t.get(0);
        SwimNode b = t.get(1);
        cut.add("c");
        advance(12_000);
        assertEquals(MemberStatus.FAILED, a.member("c").status());
        a.forceLeave("c", false, now);
        advance(1000);
        assertEquals(MemberStatus.LEFT, a.member("c").status());
        assertEquals(MemberStatus.LEFT, b.member("c").status(), "the force-leave is gossiped");
        a.forceLeave("c", true, now);
        pump();
        assertNull(a.member("c"));
        assertEquals(1, memberEvents("a", MemberEvent.Type.REAP, "c").size());
        assertThrows(IllegalArgumentException.class, () -> a.forceLeave("nobody", false, now));
        assertThrows(IllegalArgumentException.class, () -> a.forceLeave("a", false, now));
    }

    @Test
    void gracefulLeaveIsLeftAndTheLeaverStopsProbing() {
        List<SwimNode> t = trio();
        SwimNode c = t.get(2);
        c.leave(now);
        advance(1000);
        assertTrue(c.leaveSent());
        assertEquals(MemberStatus.LEFT, t.get(0).member("c").status());
        assertEquals(1, memberEvents("a", MemberEvent.Type.LEAVE, "c").size());
        long probes = c.counters().getOrDefault("probe.sent", 0L);
        advance(5000);
        assertEquals(probes, c.counters().getOrDefault("probe.sent", 0L));
    }

    @Test
    void failedMembersAreReapedAfterTheReapTimeout() {
        List<SwimNode> t = trio();
        cut.add("c");
        advance(12_000);
        assertEquals(MemberStatus.FAILED, t.get(0).member("c").status());
        // LAN reap timeout is 72 h; jump the clock instead of ticking through it.
        now += timing.reapTimeout().toMillis();
        t.get(0).tick(now);
        pump();
        assertNull(t.get(0).member("c"));
        assertEquals(1, memberEvents("a", MemberEvent.Type.REAP, "c").size());
    }

    @Test
    void restartedMemberRefutesItsOwnDeathOnRejoin() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        a.receivePacket(List.of(new Msg.Dead("b", 5, "a", false)), now);
        // A fresh process with the same name rejoins at incarnation 0 and learns it is dead at 5.
        byAddr.remove(b.addr());
        SwimNode b2 = new SwimNode("b", b.addr(), Map.of("role", "b"), timing, new SplittableRandom(9), 1400);
        byAddr.put(b.addr(), b2);
        events.put("b", new ArrayList<>());
        b2.start(now);
        join(b2, a);
        advance(2000);
        assertEquals(6, b2.localMember().incarnation());
        assertEquals(MemberStatus.ALIVE, a.member("b").status());
    }

    @Test
    void pushPullRunsPeriodically() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        long served = a.counters().getOrDefault("pushpull.served", 0L) + b.counters().getOrDefault("pushpull.served", 0L);
        assertEquals(1, served, "the join's exchange");
        advance(timing.pushPullInterval().toMillis() + 1000);
        long started = a.counters().getOrDefault("pushpull.started", 0L) + b.counters().getOrDefault("pushpull.started", 0L);
        served = a.counters().getOrDefault("pushpull.served", 0L) + b.counters().getOrDefault("pushpull.served", 0L);
        assertTrue(started >= 2, "each node started a periodic sync: " + started);
        assertEquals(started + 1, served, "every sync was answered");
    }

    @Test
    void packetsNeverExceedTheBudgetHowEverMuchIsQueued() {
        SwimNode a = node("a");
        SwimNode b = node("b");
        join(b, a);
        for (int i = 0; i < 500; i++) {
            a.receivePacket(List.of(new Msg.Alive("n" + i, 1, new Addr("10.1." + (i / 250) + "." + (i % 250), 1),
                    Map.of("role", "x".repeat(50)))), now);
        }
        sentLog.clear();
        cut.add("nobody");
        advance(3000);
        assertTrue(sentLog.size() > 5);
        for (SwimNode.Packet p : sentLog) {
            assertTrue(WireCodec.encodePacket(p.msgs()).length <= 1400, "packet within 1400 bytes");
        }
        assertTrue(sentLog.stream().anyMatch(p -> p.msgs().size() > 5), "compound packets carry many messages");
    }

    @Test
    void pingForAnotherNameIsNotAnswered() {
        SwimNode a = node("a");
        a.receivePacket(List.of(new Msg.Ping(1, "someone-else", "x", new Addr("10.9.9.9", 1))), now);
        assertTrue(a.drainOutputs().isEmpty());
        assertEquals(1L, a.counters().get("misdirected.ping"));
        assertInstanceOf(Msg.Ack.class, a.handleStream(new Msg.Ping(2, "a", "x", new Addr("10.9.9.9", 1)), now));
    }
}
