package io.tribune.raft.internal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deterministic simulation of Raft clusters of 1, 3 and 5 servers under loss, duplication,
 * reordering, partitions (symmetric and one-way), crash-restarts that keep only fsynced data, and
 * clock drift, with safety invariants checked throughout and a linearizability check of the client
 * history at the end of each seed.
 *
 * <p>{@code -Dtribune.sim.seeds=N} sets the number of seeds (default 300),
 * {@code -Dtribune.sim.seed=S} replays one seed, {@code -Dtribune.sim.first=F} starts at seed F.
 * Always prints {@code seeds=N violations=V}.
 */
class RaftSimulationTest {

    /** Totals over the seeds of one run, printed so a reader sees what the run exercised. */
    static final long[] TOTALS = new long[10];
    static final long[] CHECK_NANOS = new long[1];

    /** The outcome of one seed: empty when it passed. */
    static List<String> runSeed(long seed) {
        SimCluster c = new SimCluster(seed, SimCluster.knobsFor(seed));
        c.run(3_000, 10_000);
        TOTALS[0] += c.finishedHistory().size();
        TOTALS[1] += c.leaders.size();
        TOTALS[2] += c.crashes;
        TOTALS[3] += c.partitions;
        TOTALS[4] += c.snapshotsInstalled;
        TOTALS[5] += c.appliedGlobal.size();
        TOTALS[6] += c.messagesSent;
        TOTALS[8] += c.followerReads;
        TOTALS[9] += c.followerReadsRefused;
        List<String> problems = new ArrayList<>(c.violations());
        if (problems.isEmpty()) {
            long t0 = System.nanoTime();
            LinearizabilityChecker.Result r = new LinearizabilityChecker(1_000_000).check(c.finishedHistory());
            CHECK_NANOS[0] += System.nanoTime() - t0;
            if (r == LinearizabilityChecker.Result.GAVE_UP) {
                TOTALS[7]++;
            }
            if (r == LinearizabilityChecker.Result.VIOLATION) {
                problems.add("linearizability violated by the client history (" + c.finishedHistory().size() + " ops)");
            }
        }
        if (!problems.isEmpty()) {
            problems.add(0, c.toString());
        }
        return problems;
    }

    @Test
    void randomizedFaultSeedsKeepSafetyLinearizabilityAndLiveness() {
        String one = System.getProperty("tribune.sim.seed");
        long first = Long.getLong("tribune.sim.first", 1);
        int seeds = one != null ? 1 : Integer.getInteger("tribune.sim.seeds", 300);
        long start = one != null ? Long.parseLong(one) : first;
        int violations = 0;
        List<String> report = new ArrayList<>();
        long t0 = System.nanoTime();
        for (long s = start; s < start + seeds; s++) {
            List<String> problems = runSeed(s);
            if (!problems.isEmpty()) {
                violations++;
                report.add("FAILED seed " + s + " (replay: -Dtribune.sim.seed=" + s + ")");
                report.addAll(problems);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        report.forEach(System.out::println);
        String summary = "seeds=" + seeds + " violations=" + violations;
        System.out.println("raft simulation: " + ms + " ms wall; client ops checked=" + TOTALS[0] + " terms with a leader="
                + TOTALS[1] + " crashes=" + TOTALS[2] + " partitions=" + TOTALS[3] + " snapshots installed="
                + TOTALS[4] + " entries committed=" + TOTALS[5] + " messages=" + TOTALS[6] + " follower reads served="
                + TOTALS[8] + " refused=" + TOTALS[9] + " checker ms="
                + CHECK_NANOS[0] / 1_000_000 + " checker gave up on " + TOTALS[7] + " seeds");
        System.out.println(summary);
        assertEquals(0, violations, summary + "\n" + String.join("\n", report));
    }

    @Test
    void aSeedReplaysExactly() {
        SimCluster a = new SimCluster(42, SimCluster.knobsFor(42));
        a.run(2_000, 5_000);
        SimCluster b = new SimCluster(42, SimCluster.knobsFor(42));
        b.run(2_000, 5_000);
        assertEquals(a.toString(), b.toString());
        assertEquals(a.messagesSent, b.messagesSent);
        assertEquals(a.events, b.events);
        assertEquals(a.finishedHistory(), b.finishedHistory());
        assertTrue(a.messagesSent > 0);
    }

    @Test
    void checkerRejectsANonLinearizableHistory() {
        // put(x) completes, then a later get returns the old (absent) value: stale read.
        List<KvOp> bad = List.of(
                new KvOp(1, "k", KvOp.Kind.PUT, "x", null, 0, 10, "ok"),
                new KvOp(2, "k", KvOp.Kind.GET, null, null, 20, 30, null));
        assertEquals(LinearizabilityChecker.Result.VIOLATION, new LinearizabilityChecker(10_000).check(bad));
        // The same get overlapping the put may see either value.
        List<KvOp> ok = List.of(
                new KvOp(1, "k", KvOp.Kind.PUT, "x", null, 0, 10, "ok"),
                new KvOp(2, "k", KvOp.Kind.GET, null, null, 5, 30, null));
        assertEquals(LinearizabilityChecker.Result.OK, new LinearizabilityChecker(10_000).check(ok));
        // A write with unknown outcome may or may not have happened.
        List<KvOp> unknown = List.of(
                new KvOp(1, "k", KvOp.Kind.PUT, "x", null, 0, Long.MAX_VALUE, null),
                new KvOp(2, "k", KvOp.Kind.GET, null, null, 20, 30, null),
                new KvOp(3, "k", KvOp.Kind.GET, null, null, 40, 50, "x"));
        assertEquals(LinearizabilityChecker.Result.OK, new LinearizabilityChecker(10_000).check(unknown));
        // ...but not un-happen: once seen, it stays.
        List<KvOp> flicker = List.of(
                new KvOp(1, "k", KvOp.Kind.PUT, "x", null, 0, Long.MAX_VALUE, null),
                new KvOp(2, "k", KvOp.Kind.GET, null, null, 20, 30, "x"),
                new KvOp(3, "k", KvOp.Kind.GET, null, null, 40, 50, null));
        assertEquals(LinearizabilityChecker.Result.VIOLATION, new LinearizabilityChecker(10_000).check(flicker));
        // A successful CAS needs the expected value.
        List<KvOp> cas = List.of(
                new KvOp(1, "k", KvOp.Kind.PUT, "a", null, 0, 10, "ok"),
                new KvOp(2, "k", KvOp.Kind.CAS, "b", "c", 20, 30, "ok"));
        assertEquals(LinearizabilityChecker.Result.VIOLATION, new LinearizabilityChecker(10_000).check(cas));
    }
}
