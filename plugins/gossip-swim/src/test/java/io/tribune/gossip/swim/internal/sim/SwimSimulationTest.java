package io.tribune.gossip.swim.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.QueryResult;
import io.tribune.gossip.swim.internal.core.SwimNode;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deterministic whole-cluster simulations at 50 members (the 1,000-member figures are in
 * {@link SwimSimulationBench}). Each failure message carries the seed.
 */
class SwimSimulationTest {
    private static final int N = 50;
    private static final SwimTiming LAN = SwimTiming.lan();

    @Test
    void crashedMemberIsDetectedByAllAndNoLiveMemberIsAccused() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(11, N, LAN, obs, Duration.ofSeconds(120), 20);
        List<List<Long>> det = Scenarios.detect(c, obs, 3, Duration.ofSeconds(90));
        assertEquals(3, det.size());
        for (List<Long> times : det) {
            assertEquals(N - 1 - det.indexOf(times), times.size(), "every live member saw the failure");
            // Lifeguard bounds: at least the minimum suspicion timeout, at most probe period + max timeout.
            long period = LAN.probeInterval().toMillis();
            long min = (long) (LAN.suspicionMult() * Math.log10(N) * period);
            assertTrue(times.get(0) >= min - period, "first detection " + times.get(0) + " ms respects the suspicion floor "
                    + min + " (seed " + c.seed() + ")");
        }
        assertEquals(0, obs.falseFailures, "no live member declared failed (seed " + c.seed() + ")");
        assertEquals(0, c.decodeFailures());
    }

    @Test
    void noFalsePositivesUnderTenPercentLoss() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(12, N, LAN, obs, Duration.ofSeconds(120), 20);
        c.loss(0.10);
        c.runFor(Duration.ofSeconds(120));
        assertEquals(0, obs.falseFailures, "false FAILED under 10% loss (seed " + c.seed() + ")");
        long failedProbes = c.nodes().stream().mapToLong(n -> n.core.counters().getOrDefault("probe.failed", 0L)).sum();
        long probes = c.nodes().stream().mapToLong(n -> n.core.counters().getOrDefault("probe.sent", 0L)).sum();
        assertTrue(probes > N * 100L, "probing went on: " + probes);
        // A probe fails only if the direct ping, all k indirect paths and the TCP fallback fail.
        assertTrue(failedProbes < probes / 100, "failed probes stay rare: " + failedProbes + " of " + probes);
    }

    @Test
    void stalledMembersRefuteSuspicionAndAreNotDeclaredFailed() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(13, N, LAN, obs, Duration.ofSeconds(120), 20);
        for (int round = 0; round < 4; round++) {
            for (int i = 1; i <= 3; i++) {
                c.stall(c.node(i * 10 + round), Duration.ofSeconds(3));
            }
            c.runFor(Duration.ofSeconds(20));
        }
        c.runFor(Duration.ofSeconds(30));
        assertEquals(0, obs.falseFailures, "a 3 s stall is shorter than the suspicion timeout (seed " + c.seed() + ")");
        assertTrue(c.converged(), "everyone alive again");
    }

    @Test
    void suspectedMemberRefutesWithHigherIncarnation() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(14, 10, LAN, obs, Duration.ofSeconds(60), 20);
        SimCluster.Node victim = c.node(3);
        long before = victim.core.localMember().incarnation();
        // Stalled for the suspicion floor at n = 10 (suspicionMult * 1 * period): long enough to be
        // suspected (one period plus the time to be probed), short enough to refute before the
        // timeout, which starts later and is at least that floor (Lifeguard §IV-B).
        Duration stall = LAN.probeInterval().multipliedBy(LAN.suspicionMult());
        c.stall(victim, stall);
        boolean suspected = c.runUntil(() -> c.nodes().stream()
                .anyMatch(n -> n.statusOf(victim.name) == MemberStatus.SUSPECT), stall);
        assertTrue(suspected, "stalled member becomes suspect (seed " + c.seed() + ")");
        assertTrue(c.runUntil(c::converged, Duration.ofSeconds(30)), "refuted everywhere");
        assertTrue(victim.core.localMember().incarnation() > before, "refutation bumps the incarnation");
        assertTrue(victim.core.counters().getOrDefault("refute", 0L) >= 1);
        assertEquals(0, obs.falseFailures);
    }

    @Test
    void joinAndUserEventReachEveryMemberOnce() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(15, N, LAN, obs, Duration.ofSeconds(120), 20);
        long join = Scenarios.joinSpread(c, obs, "newcomer", Duration.ofSeconds(60));
        assertTrue(join > 0);
        long ev = Scenarios.userEventSpread(c, obs, "deploy", Duration.ofSeconds(30));
        assertTrue(ev > 0);
        c.runFor(Duration.ofSeconds(30));
        assertEquals(c.liveCount(), obs.userReceived.get("deploy").size());
        assertEquals(0, obs.duplicateUserDeliveries, "duplicates suppressed (seed " + c.seed() + ")");
    }

    @Test
    void gracefulLeaveIsSeenAsLeftNotFailed() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(16, 20, LAN, obs, Duration.ofSeconds(60), 20);
        SimCluster.Node leaver = c.node(5);
        int[] leaves = {0};
        c.onEvent((n, e, now) -> {
            if (e instanceof MemberEvent me && me.type() == MemberEvent.Type.LEAVE && me.member().name().equals(leaver.name)) {
                leaves[0]++;
            }
        });
        leaver.core.leave(c.nowMillis());
        assertTrue(c.runUntil(leaver.core::leaveSent, Duration.ofSeconds(5)));
        c.runFor(Duration.ofMillis(600));
        c.crash(leaver);
        assertTrue(c.runUntil(() -> c.nodes().stream().filter(n -> !n.crashed())
                .allMatch(n -> n.statusOf(leaver.name) == MemberStatus.LEFT), Duration.ofSeconds(30)),
                "all see LEFT (seed " + c.seed() + ")");
        c.runFor(Duration.ofSeconds(60));
        assertEquals(0, obs.falseFailures);
        assertTrue(obs.failedAt.keySet().stream().noneMatch(k -> k.endsWith("|" + leaver.name)), "never FAILED");
        assertEquals(20, leaves[0], "one LEAVE at each of the 19 others, and the local one at the leaver");
    }

    @Test
    void partitionedHalvesFailEachOtherThenReconnectAfterHealing() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(17, 20, LAN, obs, Duration.ofSeconds(60), 20);
        List<SimCluster.Node> half = c.nodes().subList(10, 20);
        c.partition(half);
        boolean split = c.runUntil(() -> c.node(0).statusOf("node-15") == MemberStatus.FAILED
                && c.node(15).statusOf("node-0") == MemberStatus.FAILED, Duration.ofSeconds(120));
        assertTrue(split, "each side declares the other failed (seed " + c.seed() + ")");
        c.runFor(Duration.ofSeconds(60));
        c.heal();
        // Reconnect (every push-pull interval) lets each side learn it was declared dead and refute.
        assertTrue(c.runUntil(c::converged, Duration.ofMinutes(5)), "the halves merge again (seed " + c.seed() + ")");
    }

    @Test
    void queryReachesEveryMemberOnceAndCollectsEveryAnswerThatWasNotLost() {
        Scenarios.Observed obs = new Scenarios.Observed();
        SimCluster c = Scenarios.bootstrap(18, N, LAN, obs, Duration.ofSeconds(120), 20);
        Map<String, Integer> handled = new HashMap<>();
        List<long[]> doneAt = new ArrayList<>();
        List<QueryResult> results = new ArrayList<>();
        c.onEvent((n, e, now) -> {
            if (e instanceof SwimNode.QueryRequest) {
                handled.merge(n.name, 1, Integer::sum);
            } else if (e instanceof SwimNode.QueryDone d && n == c.node(0)) {
                results.add(d.result());
                doneAt.add(new long[] {now});
            }
        });
        Duration timeout = Duration.ofSeconds(5);

        // Clean network: every member answers, and the query ends when the last answer arrives.
        long t0 = c.nowMillis();
        c.startQuery(c.node(0), "first", new byte[] {1}, timeout);
        assertTrue(c.runUntil(() -> !results.isEmpty(), timeout.plusSeconds(1)), "finished (seed " + c.seed() + ")");
        QueryResult r = results.get(0);
        assertEquals(N, r.asked());
        assertEquals(N, r.count(MemberAnswer.Outcome.ANSWERED), "all answered (seed " + c.seed() + ")");
        assertTrue(doneAt.get(0)[0] - t0 < timeout.toMillis(), "ended before the timeout: " + (doneAt.get(0)[0] - t0));
        c.runFor(Duration.ofSeconds(10)); // until gossip stops carrying copies
        for (SimCluster.Node n : c.nodes()) {
            assertEquals(1, handled.get(n.name), n.name + " handled the query exactly once (seed " + c.seed() + ")");
        }

        // 10% loss and a crash the others have not detected yet. Gossip and the origin's direct
        // retries make a miss unlikely, not impossible; a member whose every answer was lost is
        // simply not answering. Loss hides nothing else: each member's handler runs at most once,
        // and every member with an answer that got through is ANSWERED.
        handled.clear();
        c.deliveredAnswersFrom().clear();
        c.loss(0.10);
        SimCluster.Node crashed = c.node(7);
        c.crash(crashed);
        t0 = c.nowMillis();
        c.startQuery(c.node(0), "second", new byte[] {2}, timeout);
        assertTrue(c.runUntil(() -> results.size() == 2, timeout.plusSeconds(1)));
        c.runFor(Duration.ofSeconds(10)); // until gossip stops carrying copies
        r = results.get(1);
        assertEquals(N, r.asked(), "the crashed member was still alive in the view, so it was asked");
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer(crashed.name).outcome());
        assertEquals(timeout.toMillis(), doneAt.get(1)[0] - t0, "a missing answer holds the query to its timeout");
        assertNull(handled.get(crashed.name));
        int reached = 0;
        for (SimCluster.Node n : c.nodes()) {
            Integer k = handled.get(n.name);
            assertTrue(k == null || k == 1, n.name + " handled the query at most once (seed " + c.seed() + ")");
            reached += k == null ? 0 : 1;
        }
        assertEquals(N - 1, reached, "gossip and retries reached every live member (seed " + c.seed() + ")");
        java.util.Set<String> answered = new java.util.TreeSet<>(c.deliveredAnswersFrom());
        answered.add(c.node(0).name); // the origin's own answer needs no packet
        java.util.Set<String> collected = new java.util.TreeSet<>();
        r.answers().values().stream().filter(a -> a.outcome() == MemberAnswer.Outcome.ANSWERED)
                .forEach(a -> collected.add(a.member()));
        assertEquals(answered, collected, "exactly the members with an answer through are ANSWERED (seed " + c.seed() + ")");
        assertEquals(N - collected.size(), r.count(MemberAnswer.Outcome.NO_ANSWER));
        assertTrue(c.lostQueryAnswers() > 0, "the loss did hit answers, and the retries made up for it");
        assertEquals(0, c.decodeFailures());
    }

    @Test
    void sameSeedReplaysTheSameRun() {
        assertEquals(trace(21), trace(21));
        assertNotEquals(trace(21), trace(22));
    }

    private static String trace(long seed) {
        StringBuilder sb = new StringBuilder();
        SimCluster c = new SimCluster(seed, LAN).loss(0.05);
        c.onEvent((n, e, now) -> sb.append(now).append(' ').append(n.name).append(' ').append(e).append('\n'));
        SimCluster.Node first = c.add("node-0");
        for (int i = 1; i < 12; i++) {
            c.join(c.add("node-" + i), first);
        }
        c.runFor(Duration.ofSeconds(10));
        c.crash(c.node(4));
        c.runFor(Duration.ofSeconds(40));
        return sb.toString() + c.totalBytes();
    }
}
