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
import io.tribune.agent.rpc.Sessions;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.KvEntry;
import io.tribune.state.SessionBehavior;
import io.tribune.state.StateStore;
import io.tribune.testkit.linearizability.CheckResult;
import io.tribune.testkit.linearizability.LinearizabilityChecker;
import io.tribune.testkit.linearizability.Operation;
import io.tribune.testkit.linearizability.RegisterModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Whole agents under seeded faults, simulated (issue 17, "whole-cluster simulation"): for each seed,
 * 3 servers and 3 clients on one {@link SimCluster} whose clocks drift within Raft's lease bound,
 * then a fault phase in which, at seeded times, servers and clients crash and restart (servers with
 * their Raft state), the network and the gossip pool are cut (one agent isolated both ways, or one
 * leg between two servers one way) and healed, messages are lost at a seeded rate, and clients join
 * and leave (churn); then everything heals, every crashed agent but one client restarts (that one
 * stays dead), and a calm phase follows. A workload runs throughout: unique-key writes and reads,
 * writes of one watched key under a blocking query, and two clients contending for a lock with
 * sessions.
 *
 * <p>Invariants, each breach counted as a violation:
 * <ul>
 *   <li>(a) an acknowledged write is missing, or has another value, on a server at the end;</li>
 *   <li>(b) a write that failed definitely (any kind but {@code OUTCOME_UNKNOWN} and {@code TIMEOUT})
 *       is on a server at the end, or was seen by a read;</li>
 *   <li>(c) a {@code DEFAULT} or {@code CONSISTENT} read that began after a write was acknowledged
 *       does not see it; a read of any mode returns a value nobody wrote;</li>
 *   <li>(leader) two servers reported leading the same term (checked at every change of
 *       leadership, {@link SimCluster#leadershipViolations()});</li>
 *   <li>(health) after the heal, the leader's catalog does not converge within
 *       {@link Run#HEALTH_BOUND} to the truth: {@code serfHealth} passing for every running agent,
 *       critical for the dead client, no node for an agent that left;</li>
 *   <li>(lock) two sessions held the lock at once: each acquire that answered true opens an interval
 *       of raft indexes that a release answered true closes (an interval whose end is not known
 *       shrinks to its acquire's index), and intervals of different sessions must not overlap;</li>
 *   <li>(blocking) a blocking read of the watched key answered the same index with two different
 *       values, or a value at another index than its write was acknowledged at, or, in the calm
 *       phase, a read blocked below the index of an acknowledged change was not woken within
 *       {@link Run#WAKE_BOUND};</li>
 *   <li>(linearizable) the history of the registers ({@value Run#REGISTERS} keys {@code reg/i}
 *       written, read and compare-and-set by every agent, in {@code DEFAULT} and {@code CONSISTENT}
 *       mode) and of the watched key (its writes and its blocking reads) is not linearizable, as
 *       decided per key by the testkit's {@link LinearizabilityChecker} over a {@link RegisterModel}.
 *       Writes whose outcome is unknown (timeouts, {@code OUTCOME_UNKNOWN}, their agent crashed) enter
 *       as indeterminate; writes that failed definitely are left out, so if one was applied after all,
 *       a read of its value cannot be placed. A compare-and-set by modify index is modelled as one by
 *       value: every write writes a value of its own, so an index names exactly one value. A search
 *       that reaches its step bound is counted apart, not as a violation;</li>
 *   <li>(d) running a seed twice gives another trace (checked on every {@value #DETERMINISM_EVERY}th
 *       seed, and on a replay);</li>
 * </ul>
 * and liveness: writes acknowledged after the heal, every request answered (or abandoned with its
 * crashed agent) by the end; and no scheduler task may throw.
 *
 * <p>{@code -Dtribune.sim.seeds=N} runs seeds 1..N (default {@value #DEFAULT_SEEDS}),
 * {@code -Dtribune.sim.first=F} starts at F, {@code -Dtribune.sim.seed=S} replays seed S alone
 * (twice, comparing traces) and prints its trace. Prints {@code cluster-sim seeds=N violations=V}
 * and, when V > 0, the first failing seed with its violations and trace.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES)
class ClusterFaultSimulationTest {
    /** Seeds run by default (CI). */
    static final int DEFAULT_SEEDS = 200;
    /** Every how many seeds a run is repeated to compare traces. */
    static final int DETERMINISM_EVERY = 5;
    private static final List<Logger> QUIET = List.of(Logger.getLogger("io.tribune"), Logger.getLogger("tribune"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.OFF));
    }

    @Test
    void invariantsHoldUnderCrashesRestartsPartitionsLossDriftAndChurn() {
        String one = System.getProperty("tribune.sim.seed");
        long first = one != null ? Long.parseLong(one) : Long.getLong("tribune.sim.first", 1);
        int seeds = one != null ? 1 : Integer.getInteger("tribune.sim.seeds", DEFAULT_SEEDS);
        int violations = 0;
        long failingSeed = 0;
        Run failing = null;
        long[] totals = new long[14];
        long t0 = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            Run a = Run.of(seed);
            List<String> problems = new ArrayList<>(a.violations);
            if (one != null || (seed - first) % DETERMINISM_EVERY == 0) {
                Run b = Run.of(seed);
                if (a.traceHash != b.traceHash) {
                    problems.add("(d) nondeterministic: seed " + seed + " gave trace hashes "
                            + Long.toHexString(a.traceHash) + " and " + Long.toHexString(b.traceHash) + "; "
                            + firstDifference(a.trace, b.trace));
                }
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
            totals[4] += a.crashes;
            totals[5] += a.restarts;
            totals[6] += a.partitions;
            totals[7] += a.lossSpells;
            totals[8] += a.churn;
            totals[9] += a.lockGrants;
            totals[10] += a.blockingAnswers;
            totals[11] += a.tasks;
            totals[12] += a.linearizabilityOps;
            totals[13] += a.linearizabilityUnknown;
            long done = seed - first + 1;
            if (done % 100 == 0 && done < seeds) {
                // A long run prints as it goes, so that a run cut short still has its figure.
                System.out.println("cluster-sim progress seeds=" + done + " violations=" + violations + " after "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms" + (failing == null ? ""
                        : " (first failing seed " + failingSeed + ")"));
                System.out.flush();
            }
            if (one != null) {
                a.trace.forEach(System.out::println);
                System.out.println("seed " + seed + " trace hash " + Long.toHexString(a.traceHash));
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("cluster-sim faults: " + ms + " ms wall for " + seeds + " seeds; writes acknowledged="
                + totals[0] + " reads checked=" + totals[1] + " writes failed definitely=" + totals[2]
                + " outcome unknown=" + totals[3] + " crashes=" + totals[4] + " restarts=" + totals[5]
                + " partitions=" + totals[6] + " loss spells=" + totals[7] + " joins and leaves=" + totals[8]
                + " lock grants=" + totals[9] + " blocking answers=" + totals[10] + " operations checked for "
                + "linearizability=" + totals[12] + " keys undecided at the step bound=" + totals[13]
                + " scheduler tasks=" + totals[11]);
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
        Run a = Run.of(3);
        Run b = Run.of(3);
        Run c = Run.of(4);
        assertEquals(a.trace, b.trace);
        assertNotEquals(a.traceHash, c.traceHash);
        assertTrue(a.acked > 0 && a.reads > 0 && a.crashes > 0 && a.linearizabilityOps > 0,
                "the run did something: " + a.acked + " writes, " + a.reads + " reads, " + a.crashes + " crashes");
    }

    @Test
    void eachInvariantCatchesItsDeliberateMistake() {
        Run a = Run.of(2, EnumSet.of(Control.DELETE_AN_ACKNOWLEDGED_WRITE));
        assertTrue(a.violations.stream().anyMatch(v -> v.startsWith("(a)")), "(a) caught nothing: " + a.violations);
        Run h = Run.of(2, EnumSet.of(Control.DEAD_EXPECTED_PASSING));
        assertTrue(h.violations.stream().anyMatch(v -> v.startsWith("(health)")),
                "(health) caught nothing: " + h.violations);
        Run l = Run.of(2, EnumSet.of(Control.READ_OF_A_VALUE_NEVER_WRITTEN));
        assertTrue(l.violations.stream().anyMatch(v -> v.startsWith("(linearizable)")),
                "(linearizable) caught nothing: " + l.violations);
        int lockCaught = 0;
        int wakeCaught = 0;
        for (long seed = 1; seed <= 5; seed++) {
            lockCaught += (int) Run.of(seed, EnumSet.of(Control.RELEASE_NOT_COUNTED)).violations.stream()
                    .filter(v -> v.startsWith("(lock)")).count();
            wakeCaught += (int) Run.of(seed, EnumSet.of(Control.WAKE_AT_ONCE)).violations.stream()
                    .filter(v -> v.startsWith("(blocking)")).count();
        }
        assertTrue(lockCaught > 0, "(lock) caught no overlap in 5 seeds");
        assertTrue(wakeCaught > 0, "(blocking) caught no late wake-up in 5 seeds");
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "first difference at line " + i + ":\n  " + a.get(i) + "\n  " + b.get(i);
            }
        }
        return "one trace is a prefix of the other (" + a.size() + " and " + b.size() + " lines)";
    }

    /** Deliberate mistakes of the checks, for {@link #eachInvariantCatchesItsDeliberateMistake}. */
    enum Control {
        /** Delete an acknowledged write behind the checker's back: (a) must object. */
        DELETE_AN_ACKNOWLEDGED_WRITE,
        /** Expect the dead client's serfHealth passing: (health) must object. */
        DEAD_EXPECTED_PASSING,
        /** Let no release end a lock interval: (lock) must object as soon as two sessions held the lock. */
        RELEASE_NOT_COUNTED,
        /** Demand that a blocked read be woken in no time at all: (blocking) must object. */
        WAKE_AT_ONCE,
        /** Record one register read as having returned a value nobody wrote: (linearizable) must object. */
        READ_OF_A_VALUE_NEVER_WRITTEN
    }

    enum Outcome { PENDING, OK, DEFINITE, UNKNOWN }

    /** One unique-key write, or a write of the watched key. */
    static final class Write {
        final int index;
        final String key;
        final String value;
        Outcome outcome = Outcome.PENDING;
        String failure = "";
        long ackedAt = Long.MAX_VALUE;
        long raftIndex;

        Write(int index, boolean watched) {
            this.index = index;
            this.key = watched ? Run.WATCHED : "w/" + index;
            this.value = "value-" + index;
        }
    }

    /** A request in flight through an agent: abandoned when that agent crashes, as its caller would be. */
    static final class Pending {
        final String via;
        final Consumer<Throwable> onAbandon;
        boolean done;

        Pending(String via, Consumer<Throwable> onAbandon) {
            this.via = via;
            this.onAbandon = onAbandon;
        }
    }

    /** One session's hold of the lock, in raft indexes; {@code to} is {@code from} until a release closes it. */
    record Hold(String holder, String session, long from, long to) { }

    /** A contender for the lock: a client agent with its session. */
    static final class Contender {
        final String name;
        String session;
        long holdingFrom;
        boolean holding;
        boolean busy;
        boolean uncertain;
        int holdIndex = -1;
        long releaseAfterNanos;

        Contender(String name) {
            this.name = name;
        }

        void reset() {
            session = null;
            holding = false;
            busy = false;
            uncertain = false;
            holdIndex = -1;
        }
    }

    /** One blocking read of the watched key. */
    static final class Blocked {
        final long minIndex;
        final long sentAtNanos;
        boolean answered;

        Blocked(long minIndex, long sentAtNanos) {
            this.minIndex = minIndex;
            this.sentAtNanos = sentAtNanos;
        }
    }

    /** One seed's run. */
    static final class Run {
        static final String WATCHED = "watch/k";
        static final String LOCK = "lock/l";
        /** How many register keys the linearizability check covers. */
        static final int REGISTERS = 3;
        /** How long after the heal the catalog must show every member's true health. */
        static final Duration HEALTH_BOUND = Duration.ofSeconds(60);
        /** How long, in the calm phase, a blocked read may take to return after a change it waits for. */
        static final Duration WAKE_BOUND = Duration.ofSeconds(2);
        static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);
        /**
         * How long a blocking read waits: longer than {@link #WAKE_BOUND}, so that a read that was
         * not woken is told from one that was, and short, so that the last one does not hold the
         * end of the run.
         */
        static final Duration WATCH_WAIT = Duration.ofSeconds(5);
        static final List<String> SERVERS = List.of("s1", "s2", "s3");

        final long seed;
        final Set<Control> controls;
        final SplittableRandom random;
        final SimCluster cluster;
        final List<Write> writes = new ArrayList<>();
        final Map<String, Write> watchedByValue = new LinkedHashMap<>();
        final List<String> violations = new ArrayList<>();
        final java.util.TreeSet<Integer> seen = new java.util.TreeSet<>();
        final List<Pending> pending = new ArrayList<>();
        /** The history the linearizability check reads: register and watched-key operations. */
        final List<Operation<RegisterModel.Input<String>, RegisterModel.Output<String>>> history = new ArrayList<>();
        final Map<String, Integer> clientIds = new LinkedHashMap<>();
        int registerValues;
        /** Whether the deliberate mistake READ_OF_A_VALUE_NEVER_WRITTEN was made already. */
        boolean corrupted;
        long linearizabilityOps;
        long linearizabilityUnknown;
        final Map<String, Contender> contenders = new LinkedHashMap<>();
        final List<Hold> holds = new ArrayList<>();
        final TreeMap<Long, String> blockingAnswersByIndex = new TreeMap<>();
        final List<Blocked> blocked = new ArrayList<>();
        /** Agents down and due to restart, and the one client that stays dead. */
        final LinkedHashSet<String> down = new LinkedHashSet<>();
        final LinkedHashSet<String> leftForGood = new LinkedHashSet<>();
        String deadForGood;
        List<String> trace;
        long traceHash;
        long acked;
        long reads;
        long definite;
        long unknown;
        long tasks;
        int crashes;
        int restarts;
        int partitions;
        int lossSpells;
        int churn;
        int lockGrants;
        int blockingAnswers;
        long step;
        int inFlight;
        int readCount;
        int nextClient = 4;
        boolean stopped;
        boolean healed;
        long healedAtNanos = Long.MAX_VALUE;
        int okAfterHeal;
        long watchIndex;
        boolean watching;
        // Knobs drawn from the seed.
        final Duration faultPhase;
        final Duration issueEvery;
        final int maxInFlight;
        final Duration calmWork;
        final Duration detectAfter;
        final double maxLoss;
        final Duration maxPropagation;
        final Duration maxLatency;

        private Run(long seed, Set<Control> controls) {
            this.seed = seed;
            this.controls = controls;
            this.random = new SplittableRandom(seed);
            this.faultPhase = Duration.ofMillis(4_000 + random.nextInt(6_001));
            this.issueEvery = Duration.ofMillis(10 + random.nextInt(31));
            this.maxInFlight = 1 + random.nextInt(4);
            this.calmWork = Duration.ofMillis(2_500 + random.nextInt(2_001));
            this.detectAfter = Duration.ofMillis(200 + random.nextInt(2_801));
            this.maxLoss = 0.01 + random.nextDouble() * 0.14;
            this.maxPropagation = Duration.ofMillis(5 + random.nextInt(96));
            this.maxLatency = Duration.ofMillis(1 + random.nextInt(15));
            this.cluster = SimCluster.builder(seed).servers(3).clients(3).drift(0.05)
                    .propagation(Duration.ofMillis(1), maxPropagation)
                    .latency(Duration.ofNanos(100_000), maxLatency).build();
            contenders.put("c1", new Contender("c1"));
            contenders.put("c2", new Contender("c2"));
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

        private long nowNanos() {
            return cluster.clock().nanos();
        }

        private void run() {
            cluster.trace("knobs: fault phase " + faultPhase.toMillis() + " ms, issue every " + issueEvery.toMillis()
                    + " ms, " + maxInFlight + " in flight, calm work " + calmWork.toMillis() + " ms, failure detected "
                    + "after " + detectAfter.toMillis() + " ms, loss up to " + String.format(java.util.Locale.ROOT, "%.3f",
                    maxLoss) + ", gossip within " + maxPropagation.toMillis() + " ms, network legs within "
                    + maxLatency.toMillis() + " ms");
            cluster.start();
            long faultEnd = nowNanos() + faultPhase.toNanos();
            cluster.scheduler().scheduleWithFixedDelay(issueEvery, issueEvery, this::tick);
            cluster.scheduler().scheduleWithFixedDelay(Duration.ofMillis(150), Duration.ofMillis(150), this::lockTurn);
            cluster.scheduler().schedule(Duration.ofMillis(10), this::watch);
            // The fault schedule: one fault every 0.3..2.3 s of the fault phase.
            long t = 300 + random.nextInt(1_000);
            while (t < faultPhase.toMillis()) {
                long at = t;
                cluster.scheduler().schedule(Duration.ofMillis(at), this::fault);
                t += 300 + random.nextInt(2_001);
            }
            cluster.scheduler().schedule(faultPhase, this::healAll);
            cluster.scheduler().schedule(faultPhase.plus(calmWork), () -> {
                stopped = true;
                cluster.trace("workload: done");
            });
            boolean drained = cluster.runUntil(() -> stopped && inFlight == 0, faultPhase.plus(calmWork)
                    .plus(DRAIN_LIMIT));
            if (!drained) {
                violations.add("(liveness) " + inFlight + " requests still unanswered " + DRAIN_LIMIT.toSeconds()
                        + " s after the workload stopped");
                return;
            }
            if (okAfterHeal == 0) {
                violations.add("(liveness) no write was acknowledged after the heal");
            }
            if (controls.contains(Control.DELETE_AN_ACKNOWLEDGED_WRITE)) {
                Write w = writes.stream().filter(x -> x.outcome == Outcome.OK && !x.key.equals(WATCHED)).findFirst()
                        .orElseThrow();
                CompletableFuture<?> gone = cluster.leader().orElseThrow().requests()
                        .call(new Kv.Delete(w.key, OptionalLong.empty()), Options.DEFAULT);
                cluster.await(gone, Duration.ofSeconds(10));
            }
            checkHealth(faultEnd);
            cluster.runFor(Duration.ofSeconds(2));
            List<Agent> servers = cluster.servers();
            boolean settled = cluster.runUntil(() -> servers.stream()
                    .mapToLong(s -> s.consensus().orElseThrow().appliedIndex()).distinct().count() == 1,
                    Duration.ofSeconds(30));
            cluster.trace("quiesced" + (settled ? "" : " (applied indexes still differ)") + ": applied "
                    + servers.stream().map(s -> s.config().nodeName() + "=" + s.consensus().orElseThrow()
                    .appliedIndex()).toList());
            checkServers(servers);
            checkLocks();
            checkLinearizable();
            cluster.leadershipViolations().forEach(v -> violations.add("(leader) " + v));
        }

        // ------------------------------------------------------------ faults

        private List<String> runningClients() {
            return cluster.clients().stream().map(a -> a.config().nodeName()).toList();
        }

        private List<String> runningServers() {
            return cluster.servers().stream().map(a -> a.config().nodeName()).toList();
        }

        private void fault() {
            if (healed) {
                return;
            }
            switch (random.nextInt(6)) {
                case 0 -> {
                    // At most one server down at a time: the cluster keeps a majority of servers alive.
                    List<String> up = runningServers();
                    if (up.size() == SERVERS.size()) {
                        crash(up.get(random.nextInt(up.size())));
                    }
                }
                case 1 -> {
                    List<String> up = runningClients();
                    if (!up.isEmpty()) {
                        crash(up.get(random.nextInt(up.size())));
                    }
                }
                case 2 -> {
                    // One agent isolated both ways, from everyone.
                    List<String> up = new ArrayList<>(runningServers());
                    up.addAll(runningClients());
                    String x = up.get(random.nextInt(up.size()));
                    partitions++;
                    cluster.trace("fault: isolate " + x);
                    for (String y : cluster.names()) {
                        if (!y.equals(x)) {
                            cut(x, y);
                            cut(y, x);
                        }
                    }
                    scheduleHeal();
                }
                case 3 -> {
                    // One leg between two servers cut one way: A's messages no longer reach B.
                    List<String> up = runningServers();
                    String a = up.get(random.nextInt(up.size()));
                    String b = up.get(random.nextInt(up.size()));
                    if (!a.equals(b)) {
                        partitions++;
                        cluster.trace("fault: cut " + a + " > " + b);
                        cut(a, b);
                        scheduleHeal();
                    }
                }
                case 4 -> {
                    double rate = 0.005 + random.nextDouble() * maxLoss;
                    lossSpells++;
                    cluster.trace("fault: loss " + String.format(java.util.Locale.ROOT, "%.3f", rate));
                    cluster.network().loss(rate);
                    cluster.scheduler().schedule(Duration.ofMillis(500 + random.nextInt(3_001)), () -> {
                        cluster.network().loss(0);
                        cluster.trace("fault: loss ends");
                    });
                }
                default -> {
                    List<String> churners = runningClients().stream()
                            .filter(n -> !contenders.containsKey(n) && !n.equals("c3")).toList();
                    churn++;
                    if (churners.isEmpty() || random.nextBoolean()) {
                        String name = "c" + nextClient++;
                        cluster.trace("churn: join " + name);
                        cluster.addClient(name);
                    } else {
                        String name = churners.get(random.nextInt(churners.size()));
                        abandon(name);
                        leftForGood.add(name);
                        cluster.leave(name);
                    }
                }
            }
        }

        private void cut(String from, String to) {
            cluster.network().cut(from, to);
            if (cluster.pool().member(from).isPresent() && cluster.pool().member(to).isPresent()) {
                cluster.pool().cut(from, to, detectAfter);
            }
        }

        private void scheduleHeal() {
            cluster.scheduler().schedule(Duration.ofMillis(1_000 + random.nextInt(4_001)), () -> {
                if (!healed) {
                    cluster.trace("fault: heal partitions");
                    cluster.network().heal();
                    cluster.pool().heal();
                }
            });
        }

        private void crash(String name) {
            crashes++;
            abandon(name);
            cluster.kill(name, detectAfter);
            down.add(name);
            Contender c = contenders.get(name);
            if (c != null) {
                c.reset();
            }
            cluster.scheduler().schedule(Duration.ofMillis(500 + random.nextInt(5_001)), () -> restart(name));
        }

        private void restart(String name) {
            if (down.remove(name)) {
                restarts++;
                cluster.restart(name);
            }
        }

        /** The end of the fault phase: every cut healed, loss off, crashed agents back but one client that stays dead. */
        private void healAll() {
            healed = true;
            healedAtNanos = nowNanos();
            cluster.trace("heal: all");
            cluster.network().heal();
            cluster.network().loss(0);
            cluster.pool().heal();
            for (String name : List.copyOf(down)) {
                restart(name);
            }
            if (cluster.isRunning("c3")) {
                deadForGood = "c3";
                crashes++;
                abandon("c3");
                cluster.kill("c3", detectAfter);
            }
        }

        /** Every request in flight through {@code name} is lost with it: its caller never learns the outcome. */
        private void abandon(String name) {
            for (Pending p : List.copyOf(pending)) {
                if (p.via.equals(name) && !p.done) {
                    p.done = true;
                    pending.remove(p);
                    inFlight--;
                    step++;
                    p.onAbandon.accept(null);
                }
            }
        }

        // ------------------------------------------------------------ requests

        /** Sends {@code op} through {@code via}; {@code done} runs once, unless the agent crashes first. */
        private <R> void send(String via, Op<R> op, Options options, java.util.function.BiConsumer<Response<R>, Throwable> done,
                              Consumer<Throwable> onAbandon) {
            Pending p = new Pending(via, onAbandon);
            pending.add(p);
            inFlight++;
            step++;
            CompletableFuture<Response<R>> f;
            try {
                f = cluster.agent(via).requests().call(op, options);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((r, t) -> {
                if (p.done) {
                    return;
                }
                p.done = true;
                pending.remove(p);
                inFlight--;
                step++;
                done.accept(r, t);
            });
        }

        /** A running client, or a running server when no client runs. */
        private String anyAgent(String preferred) {
            if (preferred != null && cluster.isRunning(preferred)) {
                return preferred;
            }
            List<String> c = runningClients();
            if (!c.isEmpty()) {
                return c.get(random.nextInt(c.size()));
            }
            List<String> s = runningServers();
            return s.get(random.nextInt(s.size()));
        }

        private void tick() {
            // Requests stuck behind a partition wait for their deadlines; the workload goes on beside
            // them, within a bound.
            if (stopped || inFlight >= maxInFlight + 24) {
                return;
            }
            int pick = random.nextInt(10);
            if (pick < 3) {
                write(false);
            } else if (pick == 3) {
                write(true);
            } else if (pick <= 5) {
                registerOp();
            } else {
                read();
            }
        }

        private void write(boolean watched) {
            Write w = new Write(writes.size(), watched);
            writes.add(w);
            if (watched) {
                watchedByValue.put(w.value, w);
            }
            String via = anyAgent("c1");
            boolean afterHeal = healed;
            long call = nowNanos();
            cluster.trace("W" + w.index + " " + w.key + " via " + via);
            send(via, new Kv.Set(w.key, w.value.getBytes(StandardCharsets.UTF_8), 0, OptionalLong.empty()),
                    Options.DEFAULT, (r, t) -> {
                        if (t == null && Boolean.TRUE.equals(r.value())) {
                            w.outcome = Outcome.OK;
                            w.ackedAt = step;
                            w.raftIndex = r.meta().index();
                            acked++;
                            if (afterHeal) {
                                okAfterHeal++;
                            }
                            cluster.trace("W" + w.index + " ok at index " + r.meta().index());
                            if (watched) {
                                watchedChanged(w);
                                history.add(Operation.completed(clientId(via), new RegisterModel.Write<>(WATCHED,
                                        w.value), new RegisterModel.Ok<>(), call, nowNanos()));
                            }
                        } else if (t == null) {
                            w.outcome = Outcome.DEFINITE;
                            w.failure = "answered false";
                            definite++;
                        } else {
                            AgentException e = AgentException.of(t);
                            boolean unknownOutcome = e.kind() == AgentException.Kind.OUTCOME_UNKNOWN
                                    || e.kind() == AgentException.Kind.TIMEOUT;
                            w.outcome = unknownOutcome ? Outcome.UNKNOWN : Outcome.DEFINITE;
                            w.failure = e.kind() + ": " + e.getMessage();
                            if (unknownOutcome) {
                                unknown++;
                                if (watched) {
                                    history.add(Operation.indeterminate(clientId(via), new RegisterModel.Write<>(WATCHED,
                                            w.value), call));
                                }
                            } else {
                                definite++;
                            }
                            cluster.trace("W" + w.index + " failed " + w.failure);
                        }
                    }, x -> {
                        w.outcome = Outcome.UNKNOWN;
                        w.failure = "its agent " + via + " crashed";
                        unknown++;
                        if (watched) {
                            history.add(Operation.indeterminate(clientId(via), new RegisterModel.Write<>(WATCHED, w.value),
                                    call));
                        }
                        cluster.trace("W" + w.index + " abandoned: " + via + " crashed");
                    });
        }

        private void read() {
            List<Write> unique = writes.stream().filter(w -> !w.key.equals(WATCHED)).toList();
            if (unique.isEmpty()) {
                return;
            }
            Write target = unique.get(random.nextInt(unique.size()));
            ReadConsistency mode = ReadConsistency.values()[random.nextInt(ReadConsistency.values().length)];
            String via = random.nextInt(4) == 0 ? anyServer() : anyAgent("c2");
            long began = ++step;
            boolean required = target.ackedAt < began;
            int id = readCount++;
            cluster.trace("R" + id + " " + target.key + " " + mode + " via " + via);
            send(via, new Kv.Get(target.key), Options.of(mode), (r, t) -> {
                if (t != null) {
                    cluster.trace("R" + id + " failed " + AgentException.of(t).kind());
                    return;
                }
                reads++;
                Optional<KvEntry> e = r.value();
                cluster.trace("R" + id + " saw " + e.isPresent() + " at index " + r.meta().index());
                if (e.isPresent()) {
                    String v = new String(e.get().value(), StandardCharsets.UTF_8);
                    if (!v.equals(target.value)) {
                        violations.add("(c) R" + id + " " + mode + " via " + via + " returned " + target.key + " = '" + v
                                + "', which nobody wrote");
                    }
                    seen.add(target.index);
                } else if (required && mode != ReadConsistency.STALE) {
                    violations.add("(c) R" + id + " " + mode + " via " + via + " began after W" + target.index
                            + " was acknowledged and does not see it");
                }
            }, x -> { });
        }

        private String anyServer() {
            List<String> s = runningServers();
            return s.get(random.nextInt(s.size()));
        }

        // ------------------------------------------------------------ registers (linearizability)

        private int clientId(String via) {
            return clientIds.computeIfAbsent(via, v -> clientIds.size());
        }

        private static boolean unknownOutcome(Throwable t) {
            AgentException e = AgentException.of(t);
            return e.kind() == AgentException.Kind.OUTCOME_UNKNOWN || e.kind() == AgentException.Kind.TIMEOUT;
        }

        /** One operation on a register: a write of a new value, or a read (then, half the time, a compare-and-set). */
        private void registerOp() {
            String key = "reg/" + random.nextInt(REGISTERS);
            String via = random.nextInt(3) == 0 ? anyServer() : anyAgent(null);
            if (random.nextInt(3) == 0) {
                registerWrite(key, via, OptionalLong.empty(), null);
                return;
            }
            ReadConsistency mode = random.nextBoolean() ? ReadConsistency.CONSISTENT : ReadConsistency.DEFAULT;
            long call = nowNanos();
            int id = readCount++;
            cluster.trace("R" + id + " " + key + " " + mode + " via " + via);
            send(via, new Kv.Get(key), Options.of(mode), (r, t) -> {
                if (t != null) {
                    cluster.trace("R" + id + " failed " + AgentException.of(t).kind());
                    return;
                }
                reads++;
                Optional<KvEntry> e = r.value();
                String value = e.map(x -> new String(x.value(), StandardCharsets.UTF_8)).orElse(null);
                if (controls.contains(Control.READ_OF_A_VALUE_NEVER_WRITTEN) && value != null && !corrupted) {
                    corrupted = true;
                    value = "never-written";
                }
                cluster.trace("R" + id + " saw " + value + " at index " + r.meta().index());
                history.add(Operation.completed(clientId(via), new RegisterModel.Read<>(key),
                        new RegisterModel.ReadResult<>(value), call, nowNanos()));
                if (!stopped && random.nextBoolean()) {
                    // Compare-and-set on what was read: the modify index names the value read.
                    registerWrite(key, anyAgent(via), OptionalLong.of(e.map(KvEntry::modifyIndex).orElse(0L)),
                            e.isPresent() ? value : null);
                }
            }, x -> { });
        }

        /** A write of a new value to {@code key}; with {@code cas}, a compare-and-set expecting {@code expected}. */
        private void registerWrite(String key, String via, OptionalLong cas, String expected) {
            String value = "r" + registerValues++;
            RegisterModel.Input<String> in = cas.isPresent() ? new RegisterModel.Cas<>(key, expected, value)
                    : new RegisterModel.Write<>(key, value);
            long call = nowNanos();
            int client = clientId(via);
            cluster.trace("X " + key + " := " + value + (cas.isPresent() ? " if index " + cas.getAsLong() : "")
                    + " via " + via);
            send(via, new Kv.Set(key, value.getBytes(StandardCharsets.UTF_8), 0, cas), Options.DEFAULT, (r, t) -> {
                if (t == null) {
                    boolean ok = Boolean.TRUE.equals(r.value());
                    cluster.trace("X " + value + " answered " + ok + " at index " + r.meta().index());
                    if (cas.isPresent()) {
                        history.add(Operation.completed(client, in, new RegisterModel.CasResult<>(ok), call, nowNanos()));
                    } else if (ok) {
                        history.add(Operation.completed(client, in, new RegisterModel.Ok<>(), call, nowNanos()));
                    }
                } else if (unknownOutcome(t)) {
                    cluster.trace("X " + value + " outcome unknown");
                    history.add(Operation.indeterminate(client, in, call));
                } else {
                    cluster.trace("X " + value + " failed " + AgentException.of(t).kind());
                }
            }, x -> history.add(Operation.indeterminate(client, in, call)));
        }

        private void checkLinearizable() {
            linearizabilityOps = history.size();
            CheckResult result = LinearizabilityChecker.checkPartitioned(new RegisterModel<String>(), history,
                    RegisterModel.Input::key);
            linearizabilityUnknown = result.partitions().stream()
                    .filter(p -> p.outcome() == CheckResult.Outcome.UNKNOWN).count();
            cluster.trace("linearizability: " + result.outcome() + " over " + history.size() + " operations");
            if (result.outcome() == CheckResult.Outcome.NOT_LINEARIZABLE) {
                violations.add("(linearizable) " + result);
            }
        }

        // ------------------------------------------------------------ blocking reads of the watched key

        private void watch() {
            if (stopped || watching) {
                return;
            }
            watching = true;
            String via = anyAgent("c2");
            Blocked b = new Blocked(watchIndex, nowNanos());
            blocked.add(b);
            Options o = watchIndex == 0 ? Options.DEFAULT : Options.DEFAULT.blocking(watchIndex, WATCH_WAIT);
            cluster.trace("B blocking read of " + WATCHED + " at index " + watchIndex + " via " + via);
            long call = nowNanos();
            send(via, new Kv.Get(WATCHED), o, (r, t) -> {
                b.answered = true;
                watching = false;
                cluster.trace("B answered " + (t != null ? "failure " + AgentException.of(t).kind()
                        : "index " + r.meta().index()));
                if (t != null) {
                    cluster.scheduler().schedule(Duration.ofMillis(100), this::watch);
                    return;
                }
                blockingAnswers++;
                checkBlockingAnswer(r.meta().index(), r.value());
                history.add(Operation.completed(clientId(via), new RegisterModel.Read<>(WATCHED),
                        new RegisterModel.ReadResult<>(r.value().map(e -> new String(e.value(), StandardCharsets.UTF_8))
                                .orElse(null)), call, nowNanos()));
                watchIndex = Math.max(watchIndex, r.meta().index());
                cluster.scheduler().execute(this::watch);
            }, x -> {
                b.answered = true;
                watching = false;
                cluster.scheduler().schedule(Duration.ofMillis(100), this::watch);
            });
        }

        private void checkBlockingAnswer(long index, Optional<KvEntry> entry) {
            String got = entry.map(e -> new String(e.value(), StandardCharsets.UTF_8) + "@" + e.modifyIndex())
                    .orElse("absent");
            String before = blockingAnswersByIndex.putIfAbsent(index, got);
            if (before != null && !before.equals(got)) {
                violations.add("(blocking) index " + index + " was answered with " + before + " and with " + got);
            }
            if (entry.isPresent()) {
                String v = new String(entry.get().value(), StandardCharsets.UTF_8);
                Write w = watchedByValue.get(v);
                if (w == null) {
                    violations.add("(blocking) " + WATCHED + " = '" + v + "', which nobody wrote");
                } else if (w.outcome == Outcome.OK && w.raftIndex != entry.get().modifyIndex()) {
                    violations.add("(blocking) W" + w.index + " was acknowledged at index " + w.raftIndex
                            + " but a blocking read shows it modified at " + entry.get().modifyIndex());
                } else if (w.outcome == Outcome.DEFINITE) {
                    seen.add(w.index);
                }
            }
        }

        /** A change of the watched key was acknowledged: in the calm phase, blocked reads must wake soon. */
        private void watchedChanged(Write w) {
            long now = nowNanos();
            if (!healed || now < healedAtNanos + Duration.ofSeconds(2).toNanos()) {
                return;
            }
            List<Blocked> waiting = blocked.stream().filter(b -> !b.answered && b.minIndex > 0
                    && b.minIndex < w.raftIndex && b.sentAtNanos < now).toList();
            Duration bound = controls.contains(Control.WAKE_AT_ONCE) ? Duration.ZERO : WAKE_BOUND;
            cluster.scheduler().schedule(bound, () -> {
                for (Blocked b : waiting) {
                    if (!b.answered) {
                        violations.add("(blocking) a read blocked at index " + b.minIndex + " was not woken within "
                                + bound.toMillis() + " ms by W" + w.index + " (index " + w.raftIndex + ")");
                    }
                }
            });
        }

        // ------------------------------------------------------------ the lock

        private void lockTurn() {
            if (stopped) {
                return;
            }
            for (Contender c : contenders.values()) {
                if (c.busy || !cluster.isRunning(c.name)) {
                    continue;
                }
                if (c.session == null) {
                    createSession(c);
                } else if (c.uncertain || (c.holding && nowNanos() >= c.releaseAfterNanos)) {
                    release(c);
                } else if (!c.holding && random.nextInt(2) == 0) {
                    acquire(c);
                }
            }
        }

        private void createSession(Contender c) {
            c.busy = true;
            send(c.name, new Sessions.Create("lock-" + c.name, "", Duration.ZERO, SessionBehavior.RELEASE,
                    Duration.ZERO, Optional.empty()), Options.DEFAULT, (r, t) -> {
                        c.busy = false;
                        if (t == null) {
                            c.session = r.value();
                            cluster.trace("lock: " + c.name + " has session " + c.session);
                        }
                    }, x -> { });
        }

        private void acquire(Contender c) {
            c.busy = true;
            String session = c.session;
            send(c.name, new Kv.Acquire(LOCK, c.name.getBytes(StandardCharsets.UTF_8), 0, session), Options.DEFAULT,
                    (r, t) -> {
                        c.busy = false;
                        if (t == null && Boolean.TRUE.equals(r.value())) {
                            lockGrants++;
                            c.holding = true;
                            c.holdingFrom = r.meta().index();
                            c.holdIndex = holds.size();
                            holds.add(new Hold(c.name, session, c.holdingFrom, c.holdingFrom));
                            c.releaseAfterNanos = nowNanos() + Duration.ofMillis(100 + random.nextInt(900)).toNanos();
                            cluster.trace("lock: " + c.name + " acquired at index " + c.holdingFrom);
                        } else if (t != null) {
                            AgentException e = AgentException.of(t);
                            if (e.kind() == AgentException.Kind.OUTCOME_UNKNOWN || e.kind() == AgentException.Kind.TIMEOUT) {
                                // It may hold the lock without knowing: release before trying again.
                                c.uncertain = true;
                            } else {
                                // Most likely the session is gone (invalidated): start over with a new one.
                                c.session = null;
                            }
                        }
                    }, x -> { });
        }

        private void release(Contender c) {
            c.busy = true;
            String session = c.session;
            send(c.name, new Kv.Release(LOCK, c.name.getBytes(StandardCharsets.UTF_8), 0, session), Options.DEFAULT,
                    (r, t) -> {
                        c.busy = false;
                        if (t != null) {
                            AgentException e = AgentException.of(t);
                            if (e.kind() != AgentException.Kind.OUTCOME_UNKNOWN && e.kind() != AgentException.Kind.TIMEOUT) {
                                c.session = null;
                                c.holding = false;
                                c.uncertain = false;
                            }
                            return;
                        }
                        if (Boolean.TRUE.equals(r.value()) && c.holding && !c.uncertain
                                && !controls.contains(Control.RELEASE_NOT_COUNTED)) {
                            Hold h = holds.get(c.holdIndex);
                            holds.set(c.holdIndex, new Hold(h.holder(), h.session(), h.from(), r.meta().index()));
                        } else if (controls.contains(Control.RELEASE_NOT_COUNTED) && c.holding) {
                            Hold h = holds.get(c.holdIndex);
                            holds.set(c.holdIndex, new Hold(h.holder(), h.session(), h.from(), Long.MAX_VALUE));
                        }
                        cluster.trace("lock: " + c.name + " released (" + r.value() + ") at index " + r.meta().index());
                        c.holding = false;
                        c.uncertain = false;
                    }, x -> { });
        }

        private void checkLocks() {
            for (int i = 0; i < holds.size(); i++) {
                for (int j = i + 1; j < holds.size(); j++) {
                    Hold a = holds.get(i);
                    Hold b = holds.get(j);
                    if (!a.session().equals(b.session()) && a.from() <= b.to() && b.from() <= a.to()) {
                        violations.add("(lock) " + a.holder() + " (session " + a.session() + ") held the lock over "
                                + "indexes " + a.from() + ".." + a.to() + " and " + b.holder() + " (session "
                                + b.session() + ") over " + b.from() + ".." + b.to());
                        return;
                    }
                }
            }
        }

        // ------------------------------------------------------------ health

        private void checkHealth(long faultEndNanos) {
            long deadline = faultEndNanos + HEALTH_BOUND.toNanos();
            long left = Math.max(0, deadline - nowNanos());
            List<String> mismatches = new ArrayList<>();
            cluster.trace("health at the end of the work: " + healthMismatches());
            boolean converged = cluster.runUntil(() -> healthMismatches().isEmpty(), Duration.ofNanos(left));
            if (!converged) {
                mismatches.addAll(healthMismatches());
                violations.add("(health) " + HEALTH_BOUND.toSeconds() + " s after the heal the catalog still differs "
                        + "from the truth: " + mismatches);
            } else {
                cluster.trace("health converged " + (nowNanos() - faultEndNanos) / 1_000_000 + " ms after the heal");
            }
        }

        private List<String> healthMismatches() {
            Optional<Agent> leader = cluster.leader();
            if (leader.isEmpty()) {
                return List.of("no leader");
            }
            StateStore state = leader.get().state().orElseThrow();
            List<String> out = new ArrayList<>();
            for (String name : cluster.names()) {
                Optional<HealthStatus> serf = state.nodeChecks(name).value().stream()
                        .filter(c -> c.checkId().equals(HealthCheck.SERF_HEALTH) && c.serviceId().isEmpty())
                        .map(HealthCheck::status).findFirst();
                boolean node = state.node(name).value().isPresent();
                if (cluster.isRunning(name)) {
                    if (serf.orElse(null) != HealthStatus.PASSING) {
                        out.add(name + " runs but serfHealth is " + serf.map(Enum::name).orElse("absent"));
                    }
                } else if (leftForGood.contains(name)) {
                    if (node) {
                        out.add(name + " left but its node is still registered");
                    }
                } else {
                    HealthStatus expected = controls.contains(Control.DEAD_EXPECTED_PASSING) ? HealthStatus.PASSING
                            : HealthStatus.CRITICAL;
                    if (serf.orElse(null) != expected) {
                        out.add(name + " is dead but serfHealth is " + serf.map(Enum::name).orElse("absent"));
                    }
                }
            }
            return out;
        }

        // ------------------------------------------------------------ end

        private void checkServers(List<Agent> servers) {
            for (Write w : writes) {
                if (w.outcome == Outcome.PENDING) {
                    violations.add("(liveness) W" + w.index + " was never answered");
                }
                if (w.outcome == Outcome.DEFINITE && seen.contains(w.index)) {
                    violations.add("(b) W" + w.index + " failed definitely (" + w.failure + ") but a read saw it");
                }
                if (w.key.equals(WATCHED)) {
                    continue;
                }
                for (Agent s : servers) {
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
        }

        private void finish() {
            tasks = cluster.scheduler().executedCount();
            List<Throwable> failures = cluster.scheduler().failures();
            if (!failures.isEmpty()) {
                violations.add("(tasks) " + failures.size() + " scheduler task(s) threw; the first: " + failures.get(0));
            }
            cluster.trace("end: " + writes.size() + " writes, " + readCount + " reads, " + lockGrants + " lock grants, "
                    + blockingAnswers + " blocking answers, " + cluster.termsLed() + " terms led, " + tasks + " tasks, "
                    + failures.size() + " task failures");
            trace = cluster.traceLines();
            traceHash = cluster.traceHash();
            cluster.close();
        }
    }
}
