package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.KvEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole agents under a leader crash, simulated: for each seed, 3 servers and 2 clients on one
 * {@link SimCluster}; once a leader is elected, a workload of unique-key writes ({@code Kv.Set} of
 * {@code w/<i>}) through client {@code c1} interleaved with reads through client {@code c2} in each
 * consistency mode and through a follower; at a seeded time the leader is killed (and in a third of
 * the seeds a client too, at another seeded time, then the other client takes over its part), and
 * the pool reports the failure after a seeded delay. Writing goes on until a new leader leads and a
 * seeded number of writes issued after that succeeded (in a fifth of the seeds, a trickle of requests
 * then goes on until the new leader removed the dead server from the configuration, which its
 * reconciliation does 30 s after it saw the failure); then the cluster quiesces and is checked.
 * The workload runs as tasks of the simulation's scheduler; the test's thread only runs it.
 *
 * <p>Violations counted:
 * <ol type="a">
 *   <li>an acknowledged write is missing, or has another value, on a surviving server at the end;</li>
 *   <li>a write that failed with a definite error (any kind but {@code OUTCOME_UNKNOWN} and
 *       {@code TIMEOUT}) is present on a server at the end, or was seen by a read;</li>
 *   <li>a {@code DEFAULT} or {@code CONSISTENT} read that began after a write was acknowledged does
 *       not see it; and a read of any mode, {@code STALE} too, returns a value nobody wrote;</li>
 *   <li>the run is not deterministic: running the seed twice gives another trace hash;</li>
 * </ol>
 * and, so that a seed cannot pass by doing nothing, a run that never fails over (no new leader, or
 * too few writes after it, within two minutes of virtual time) or leaves a request unanswered; and a
 * scheduler task that threw (a bug of whatever scheduled it).
 *
 * <p>{@code -Dtribune.sim.seeds=N} runs seeds 1..N (default 50), {@code -Dtribune.sim.first=F}
 * starts at F, {@code -Dtribune.sim.seed=S} replays seed S alone and prints its trace. Prints
 * {@code cluster-sim seeds=N violations=V} and, when V > 0, the first failing seed with its
 * violations and trace.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class ClusterSimulationTest {
    /** Seeds run by default: enough to cross every branch of the workload several times (see the README). */
    static final int DEFAULT_SEEDS = 50;
    /**
     * Keep the agents' and plugins' log lines out of the output, where hundreds of runs would bury
     * the figures (strong references: a logger's level is lost when it is collected).
     */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("io.tribune"), Logger.getLogger("tribune"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.SEVERE));
    }

    @Test
    void acknowledgedWritesSurviveALeaderCrashAndReadsSeeThem() {
        String one = System.getProperty("tribune.sim.seed");
        long first = one != null ? Long.parseLong(one) : Long.getLong("tribune.sim.first", 1);
        int seeds = one != null ? 1 : Integer.getInteger("tribune.sim.seeds", DEFAULT_SEEDS);
        int violations = 0;
        long failingSeed = 0;
        Run failing = null;
        long[] totals = new long[7];
        long t0 = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            Run a = Run.of(seed);
            Run b = Run.of(seed);
            List<String> problems = new ArrayList<>(a.violations);
            if (a.traceHash != b.traceHash) {
                problems.add("(d) nondeterministic: seed " + seed + " gave trace hashes " + Long.toHexString(a.traceHash)
                        + " and " + Long.toHexString(b.traceHash) + "; " + firstDifference(a.trace, b.trace));
            }
            violations += problems.size();
            if (!problems.isEmpty() && failing == null) {
                failing = a;
                failingSeed = seed;
                a.violations.clear();
                a.violations.addAll(problems);
            }
            totals[0] += a.acked;
            totals[1] += a.reads;
            totals[2] += a.definite;
            totals[3] += a.unknown;
            totals[4] += a.clientKilled ? 1 : 0;
            totals[5] += a.tasks;
            totals[6] += a.taskFailures;
            if (one != null) {
                a.trace.forEach(System.out::println);
                System.out.println("seed " + seed + " trace hash " + Long.toHexString(a.traceHash));
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("cluster-sim: " + ms + " ms wall for " + seeds + " seeds, each run twice; writes acknowledged="
                + totals[0] + " reads checked=" + totals[1] + " writes failed definitely=" + totals[2]
                + " outcome unknown=" + totals[3] + " runs with a client killed=" + totals[4] + " scheduler tasks="
                + totals[5] + " tasks that threw=" + totals[6]);
        String summary = "cluster-sim seeds=" + seeds + " violations=" + violations;
        System.out.println(summary);
        String detail = "";
        if (failing != null) {
            detail = "first failing seed " + failingSeed + " (replay: -Dtribune.sim.seed=" + failingSeed + ")\n"
                    + String.join("\n", failing.violations) + "\ntrace:\n" + String.join("\n", failing.trace);
            System.out.println(detail);
        }
        assertEquals(0, violations, summary + "\n" + detail);
    }

    @Test
    void aSeedReplaysExactlyAndAnotherSeedRunsDifferently() {
        Run a = Run.of(7);
        Run b = Run.of(7);
        Run c = Run.of(8);
        assertEquals(a.trace, b.trace);
        assertEquals(a.traceHash, b.traceHash);
        assertNotEquals(a.traceHash, c.traceHash);
        assertTrue(a.acked > 0 && a.reads > 0, "the run did something: " + a.acked + " writes, " + a.reads + " reads");
    }

    @Test
    void eachCheckCatchesItsDeliberateMistake() {
        // (b): seed 9 kills client c1 while three of its writes wait at a server for the new leader,
        // which then applies them: their outcome is unknown, and counted as definite they are caught.
        Run b = Run.of(9, EnumSet.of(Control.UNKNOWN_AS_DEFINITE));
        assertTrue(b.violations.stream().anyMatch(v -> v.startsWith("(b)")), "(b) caught nothing: " + b.violations);
        // (c): a STALE read served by a follower that has not yet applied an acknowledged write.
        int staleCaught = 0;
        for (long seed = 1; seed <= 10; seed++) {
            staleCaught += (int) Run.of(seed, EnumSet.of(Control.STALE_AS_LINEARIZABLE)).violations.stream()
                    .filter(v -> v.startsWith("(c)")).count();
        }
        assertTrue(staleCaught > 0, "(c) caught no stale read in 10 seeds");
        // (a): an acknowledged write deleted before the end is missing on every survivor.
        Run a = Run.of(9, EnumSet.of(Control.DELETE_AN_ACKNOWLEDGED_WRITE));
        assertEquals(2, a.violations.stream().filter(v -> v.startsWith("(a)")).count(), "(a): " + a.violations);
        // (d): the same seed paced by an unseeded generator runs differently.
        Run d1 = Run.of(9, EnumSet.of(Control.UNSEEDED_PACING));
        Run d2 = Run.of(9, EnumSet.of(Control.UNSEEDED_PACING));
        assertNotEquals(d1.traceHash, d2.traceHash, "(d) would not notice an unseeded workload");
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "first difference at line " + i + ":\n  " + a.get(i) + "\n  " + b.get(i);
            }
        }
        return "one trace is a prefix of the other (" + a.size() + " and " + b.size() + " lines)";
    }

    // ---------------------------------------------------------------- one run

    /**
     * Deliberate mistakes of the test itself, for {@link #eachCheckCatchesItsDeliberateMistake}: a
     * check that cannot fail proves nothing.
     */
    enum Control {
        /** Count a write whose outcome is unknown as failed definitely: check (b) must object. */
        UNKNOWN_AS_DEFINITE,
        /** Hold STALE reads to the linearizable rule: check (c) must object. */
        STALE_AS_LINEARIZABLE,
        /** Pace the workload from an unseeded generator: check (d) must object. */
        UNSEEDED_PACING,
        /** Delete an acknowledged write behind the checker's back before the end: check (a) must object. */
        DELETE_AN_ACKNOWLEDGED_WRITE
    }

    /** What one write became. */
    enum Outcome { PENDING, OK, DEFINITE, UNKNOWN }

    /** One write of the workload. */
    static final class Write {
        final int index;
        final String key;
        final String value;
        Outcome outcome = Outcome.PENDING;
        String failure = "";
        /** The workload's step at which it was acknowledged; {@code Long.MAX_VALUE} until then. */
        long ackedAt = Long.MAX_VALUE;

        Write(int index) {
            this.index = index;
            this.key = "w/" + index;
            this.value = "value-" + index;
        }
    }

    /** One seed's run: the cluster, the workload on its scheduler, and the checks at the end. */
    static final class Run {
        static final Duration LIMIT = Duration.ofMinutes(2);
        final long seed;
        final Set<Control> controls;
        final SplittableRandom random;
        final SimCluster cluster;
        final List<Write> writes = new ArrayList<>();
        final List<String> violations = new ArrayList<>();
        /** Indexes of writes some read returned. */
        final TreeSet<Integer> seen = new TreeSet<>();
        List<String> trace;
        long traceHash;
        long acked;
        long reads;
        long definite;
        long unknown;
        long tasks;
        long taskFailures;
        boolean clientKilled;
        /** A logical clock of the workload: one step per request sent and per answer received. */
        long step;
        int inFlight;
        int readCount;
        boolean stopped;
        String killedLeader;
        String newLeader;
        int okAfterFailover;
        // Knobs drawn from the seed.
        final Duration issueEvery;
        final int maxInFlight;
        final Duration killLeaderAfter;
        final Duration failureDetectedAfter;
        final String clientToKill;
        final Duration killClientAfter;
        final int writesAfterFailover;
        /** Whether the workload trickles on until the new leader removed the dead server from the configuration. */
        final boolean awaitRemoval;
        int tailTicks;
        final Duration maxPropagation;
        final Duration maxLatency;

        private Run(long seed, Set<Control> controls) {
            this.seed = seed;
            this.controls = controls;
            this.random = controls.contains(Control.UNSEEDED_PACING) ? new SplittableRandom()
                    : new SplittableRandom(seed);
            this.issueEvery = Duration.ofMillis(5 + random.nextInt(36));
            this.maxInFlight = 1 + random.nextInt(6);
            this.killLeaderAfter = Duration.ofMillis(200 + random.nextInt(2801));
            this.failureDetectedAfter = Duration.ofMillis(100 + random.nextInt(4901));
            this.clientToKill = random.nextInt(3) == 0 ? (random.nextBoolean() ? "c1" : "c2") : null;
            this.killClientAfter = Duration.ofMillis(random.nextInt(3001));
            this.writesAfterFailover = 10 + random.nextInt(21);
            this.awaitRemoval = random.nextInt(5) == 0;
            this.maxPropagation = Duration.ofMillis(5 + random.nextInt(146));
            this.maxLatency = Duration.ofMillis(1 + random.nextInt(20));
            this.cluster = SimCluster.builder(seed).servers(3).clients(2)
                    .propagation(Duration.ofMillis(1), maxPropagation)
                    .latency(Duration.ofNanos(100_000), maxLatency).build();
        }

        static Run of(long seed) {
            return of(seed, EnumSet.noneOf(Control.class));
        }

        static Run of(long seed, Set<Control> controls) {
            Run r = new Run(seed, controls);
            try {
                r.run();
            } catch (RuntimeException e) {
                r.violations.add("(liveness) seed " + seed + " broke off: " + e);
            } finally {
                r.finish();
            }
            return r;
        }

        private void run() {
            cluster.trace("knobs: issue every " + issueEvery.toMillis() + " ms, " + maxInFlight + " in flight, kill the "
                    + "leader after " + killLeaderAfter.toMillis() + " ms, failure detected after "
                    + failureDetectedAfter.toMillis() + " ms, " + (clientToKill == null ? "no client killed"
                    : "kill " + clientToKill + " " + killClientAfter.toMillis() + " ms later") + ", "
                    + writesAfterFailover + " writes after the failover" + (awaitRemoval ? ", then a trickle until the "
                    + "dead server is removed" : "") + ", gossip within " + maxPropagation.toMillis()
                    + " ms, network legs within " + maxLatency.toMillis() + " ms");
            cluster.start();
            cluster.scheduler().schedule(killLeaderAfter, this::killLeader);
            cluster.scheduler().scheduleWithFixedDelay(issueEvery, issueEvery, this::tick);
            boolean done = cluster.runUntil(() -> stopped && inFlight == 0, LIMIT);
            if (!done) {
                violations.add("(liveness) seed " + seed + ": after " + LIMIT.toSeconds() + " s killed leader "
                        + killedLeader + ", new leader " + newLeader + ", " + okAfterFailover + " of "
                        + writesAfterFailover + " writes after the failover, " + inFlight + " requests unanswered");
                stopped = true;
                return;
            }
            if (controls.contains(Control.DELETE_AN_ACKNOWLEDGED_WRITE)) {
                Write w = writes.stream().filter(x -> x.outcome == Outcome.OK).findFirst().orElseThrow();
                CompletableFuture<?> gone = cluster.leader().orElseThrow().requests()
                        .call(new Kv.Delete(w.key, OptionalLong.empty()), Options.DEFAULT);
                cluster.await(gone, Duration.ofSeconds(10));
            }
            // Quiesce: no more requests; let replication and the agents' own writes settle.
            cluster.runFor(Duration.ofSeconds(2));
            List<Agent> survivors = cluster.servers();
            boolean settled = cluster.runUntil(() -> survivors.stream()
                    .mapToLong(s -> s.consensus().orElseThrow().appliedIndex()).distinct().count() == 1,
                    Duration.ofSeconds(30));
            cluster.trace("quiesced" + (settled ? "" : " (applied indexes still differ)") + ": applied "
                    + survivors.stream().map(s -> s.config().nodeName() + "=" + s.consensus().orElseThrow()
                    .appliedIndex()).toList());
            checkServers(survivors);
        }

        private void killLeader() {
            Optional<Agent> l = cluster.leader();
            if (l.isEmpty()) {
                // Mid-election: try again shortly, so that every seed kills a leader.
                cluster.scheduler().schedule(Duration.ofMillis(50), this::killLeader);
                return;
            }
            killedLeader = l.get().config().nodeName();
            cluster.kill(killedLeader, failureDetectedAfter);
            if (clientToKill != null) {
                cluster.scheduler().schedule(killClientAfter, () -> {
                    clientKilled = true;
                    cluster.kill(clientToKill, failureDetectedAfter);
                });
            }
        }

        /** One turn of the workload: notes a new leader, stops when done, else sends a request. */
        private void tick() {
            if (stopped) {
                return;
            }
            if (killedLeader != null && newLeader == null) {
                cluster.leader().filter(a -> !a.config().nodeName().equals(killedLeader)).ifPresent(a -> {
                    newLeader = a.config().nodeName();
                    cluster.trace("workload: new leader " + newLeader);
                });
            }
            if (newLeader != null && okAfterFailover >= writesAfterFailover) {
                if (!awaitRemoval || deadServerRemoved()) {
                    stopped = true;
                    cluster.trace("workload: done");
                    return;
                }
                // The trickle: one turn in eight, while the leader's reconciliation waits out the
                // 30 s after which a failed server leaves the configuration.
                if (tailTicks++ % 8 != 0) {
                    return;
                }
            }
            if (inFlight >= maxInFlight) {
                return;
            }
            int pick = random.nextInt(10);
            if (pick < 5) {
                write();
                return;
            }
            ReadConsistency[] modes = ReadConsistency.values();
            String via;
            ReadConsistency mode;
            if (pick <= 7) {
                via = client("c2");
                mode = modes[pick - 5];
            } else {
                Optional<Agent> leader = cluster.leader();
                List<Agent> followers = cluster.servers().stream().filter(s -> leader.isEmpty() || s != leader.get())
                        .toList();
                via = followers.get(random.nextInt(followers.size())).config().nodeName();
                mode = modes[random.nextInt(modes.length)];
            }
            read(via, mode);
        }

        /** Whether the leader's configuration no longer holds the killed leader. */
        private boolean deadServerRemoved() {
            return cluster.leader().map(l -> l.consensus().orElseThrow().configuration().stream()
                    .noneMatch(s -> s.id().equals(killedLeader))).orElse(false);
        }

        /** {@code preferred} if it runs, else the other client. */
        private String client(String preferred) {
            return cluster.isRunning(preferred) ? preferred : preferred.equals("c1") ? "c2" : "c1";
        }

        private void write() {
            Write w = new Write(writes.size());
            writes.add(w);
            String via = client("c1");
            boolean afterFailover = newLeader != null;
            ++step;
            inFlight++;
            cluster.trace("W" + w.index + " via " + via);
            CompletableFuture<Response<Boolean>> f = cluster.agent(via).requests().call(new Kv.Set(w.key,
                    w.value.getBytes(StandardCharsets.UTF_8), 0, OptionalLong.empty()), Options.DEFAULT);
            f.whenComplete((r, t) -> {
                inFlight--;
                step++;
                if (t == null && Boolean.TRUE.equals(r.value())) {
                    w.outcome = Outcome.OK;
                    w.ackedAt = step;
                    acked++;
                    if (afterFailover) {
                        okAfterFailover++;
                    }
                    cluster.trace("W" + w.index + " ok at index " + r.meta().index());
                } else if (t == null) {
                    w.outcome = Outcome.DEFINITE;
                    w.failure = "answered false";
                    definite++;
                    cluster.trace("W" + w.index + " answered false");
                } else {
                    AgentException e = AgentException.of(t);
                    boolean unknownOutcome = (e.kind() == AgentException.Kind.OUTCOME_UNKNOWN
                            || e.kind() == AgentException.Kind.TIMEOUT) && !controls.contains(Control.UNKNOWN_AS_DEFINITE);
                    w.outcome = unknownOutcome ? Outcome.UNKNOWN : Outcome.DEFINITE;
                    w.failure = e.kind() + ": " + e.getMessage();
                    if (unknownOutcome) {
                        unknown++;
                    } else {
                        definite++;
                    }
                    cluster.trace("W" + w.index + " failed " + w.failure);
                }
            });
        }

        private void read(String via, ReadConsistency mode) {
            int id = readCount++;
            long began = ++step;
            inFlight++;
            boolean single = !writes.isEmpty() && random.nextInt(3) == 0;
            Write target = single ? writes.get(random.nextInt(writes.size())) : null;
            // What must be seen: every write acknowledged before this read began.
            List<Write> required = new ArrayList<>();
            for (Write w : writes) {
                if (w.ackedAt < began && (target == null || target == w)) {
                    required.add(w);
                }
            }
            Op<?> op = single ? new Kv.Get(target.key) : new Kv.Entries("w/");
            cluster.trace("R" + id + " " + (single ? "get " + target.key : "entries") + " " + mode + " via " + via);
            CompletableFuture<? extends Response<?>> f = cluster.agent(via).requests().call(op, Options.of(mode));
            f.whenComplete((r, t) -> {
                inFlight--;
                step++;
                if (t != null) {
                    AgentException e = AgentException.of(t);
                    cluster.trace("R" + id + " failed " + e.kind() + ": " + e.getMessage());
                    return;
                }
                reads++;
                List<KvEntry> got = entries(r.value());
                cluster.trace("R" + id + " saw " + got.size() + " at index " + r.meta().index());
                check(id, via, mode, got, required);
            });
        }

        @SuppressWarnings("unchecked")
        private static List<KvEntry> entries(Object value) {
            if (value instanceof Optional<?> o) {
                return o.map(e -> List.of((KvEntry) e)).orElse(List.of());
            }
            return (List<KvEntry>) value;
        }

        private void check(int id, String via, ReadConsistency mode, List<KvEntry> got, List<Write> required) {
            TreeSet<Integer> present = new TreeSet<>();
            for (KvEntry e : got) {
                Write w = writeOf(e.key());
                if (w == null || !w.value.equals(new String(e.value(), StandardCharsets.UTF_8))) {
                    violations.add("(c) R" + id + " " + mode + " via " + via + " returned " + e.key() + " = '"
                            + new String(e.value(), StandardCharsets.UTF_8) + "', which nobody wrote");
                    continue;
                }
                present.add(w.index);
                seen.add(w.index);
            }
            if (mode == ReadConsistency.STALE && !controls.contains(Control.STALE_AS_LINEARIZABLE)) {
                return;
            }
            List<String> missing = new ArrayList<>();
            for (Write w : required) {
                if (!present.contains(w.index)) {
                    missing.add(w.key);
                }
            }
            if (!missing.isEmpty()) {
                violations.add("(c) R" + id + " " + mode + " via " + via + " began after " + missing.size()
                        + " write(s) were acknowledged and does not see them: "
                        + missing.subList(0, Math.min(10, missing.size())));
            }
        }

        private Write writeOf(String key) {
            if (!key.startsWith("w/")) {
                return null;
            }
            try {
                int i = Integer.parseInt(key.substring(2));
                return i >= 0 && i < writes.size() ? writes.get(i) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private void checkServers(List<Agent> survivors) {
            for (Write w : writes) {
                if (w.outcome == Outcome.PENDING) {
                    violations.add("(liveness) W" + w.index + " was never answered");
                }
                if (w.outcome == Outcome.DEFINITE && seen.contains(w.index)) {
                    violations.add("(b) W" + w.index + " failed definitely (" + w.failure + ") but a read saw it");
                }
                for (Agent s : survivors) {
                    Optional<KvEntry> e = s.state().orElseThrow().kvGet(w.key).value();
                    String name = s.config().nodeName();
                    if (w.outcome == Outcome.OK && (e.isEmpty()
                            || !w.value.equals(new String(e.get().value(), StandardCharsets.UTF_8)))) {
                        violations.add("(a) W" + w.index + " was acknowledged but " + name + " has "
                                + e.map(x -> "'" + new String(x.value(), StandardCharsets.UTF_8) + "'").orElse("nothing"));
                    }
                    if (w.outcome == Outcome.DEFINITE && e.isPresent()) {
                        violations.add("(b) W" + w.index + " failed definitely (" + w.failure + ") but " + name
                                + " has it");
                    }
                }
            }
            if (newLeader == null) {
                violations.add("(liveness) no new leader after killing " + killedLeader);
            }
        }

        private void finish() {
            tasks = cluster.scheduler().executedCount();
            List<Throwable> failures = cluster.scheduler().failures();
            taskFailures = failures.size();
            if (!failures.isEmpty()) {
                // A task that throws is a bug of whatever scheduled it: the simulation runs every one.
                violations.add("(tasks) " + failures.size() + " scheduler task(s) threw; the first: " + failures.get(0));
            }
            cluster.trace("end: " + writes.size() + " writes, " + readCount + " reads, " + tasks + " tasks, "
                    + failures.size() + " task failures" + (failures.isEmpty() ? "" : ", first: " + failures.get(0)));
            trace = cluster.traceLines();
            traceHash = cluster.traceHash();
            cluster.close();
        }

        @Override
        public String toString() {
            return "seed " + seed + ": " + Arrays.asList(writes.size(), readCount);
        }
    }
}
