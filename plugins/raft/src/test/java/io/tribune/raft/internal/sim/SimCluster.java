package io.tribune.raft.internal.sim;

import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.raft.internal.core.Message;
import io.tribune.raft.internal.core.RaftCore;
import io.tribune.raft.internal.core.RaftOptions;
import io.tribune.raft.internal.core.Ready;
import io.tribune.raft.internal.core.Rejected;
import io.tribune.raft.internal.core.Role;
import io.tribune.raft.internal.driver.ReadyLoop;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.VirtualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A whole Raft cluster on one thread: {@link RaftCore}s on a simulated network and simulated
 * disks, driven by a {@link SimScheduler} on virtual time. Everything random is drawn from one
 * seed, so a run replays exactly.
 *
 * <p>Each server runs the production {@link ReadyLoop} (the driver's cycle: persist with the
 * send-before-fsync rule and group commit, send, apply, serve reads, advance); only what is behind
 * its interfaces is simulated: the disk, the state machine (a KV register), the network and the
 * clock.
 *
 * <p>Faults: message loss, duplication, delay (hence reordering), partitions (symmetric and
 * one-way), crashes that keep only what was fsynced (a write is durable only when its simulated
 * fsync completes; writes complete one at a time in order; a synchronous cycle waits for its write
 * and inputs that arrive meanwhile wait behind it, as in the driver), restarts, and clock drift
 * (each server's clock, and so its ticks and its lease, runs at its own rate).
 *
 * <p>Safety invariants are checked as the run goes (election safety, log matching, leader
 * completeness, state-machine safety, monotonic commit); violations are collected in
 * {@link #violations()}. Client operations are recorded for a linearizability check.
 */
final class SimCluster {
    /** Knobs of one run, drawn from the seed. */
    record Knobs(int servers, double loss, double duplicate, long minDelayMicros, long maxDelayMicros,
                 double drift, boolean faults, long tickMicros, int snapshotEvery, int trailing, int batchEntries,
                 int loadGapMillis) {
    }

    final long seed;
    final Knobs knobs;
    final SimScheduler sched = new SimScheduler(new VirtualClock());
    final SplittableRandom rnd;
    final RaftOptions options;
    final List<String> ids = new ArrayList<>();
    final Map<String, SimNode> nodes = new LinkedHashMap<>();
    final List<String> violations = new ArrayList<>();
    final List<KvOp> history = new ArrayList<>();
    /** Blocked directed links "a>b". */
    final java.util.TreeSet<String> blocked = new java.util.TreeSet<>();
    // Invariant state.
    final TreeMap<Long, String> leaders = new TreeMap<>();
    final TreeMap<Long, LogEntry> appliedGlobal = new TreeMap<>();
    /** Client writes proposed but not yet decided, by log index: {term, op, history slot}. */
    final TreeMap<Long, List<Object[]>> proposals = new TreeMap<>();
    private long nextOpId;
    /**
     * When measuring the stale-read window ({@link #applyLags}): the virtual time each index was
     * first applied anywhere (by the leader that committed it), and how long after that each other
     * server applied it.
     */
    private Map<Long, Long> firstApplied;
    private List<Long> applyLags;
    long messagesSent;
    long events;
    long crashes;
    long partitions;
    long snapshotsInstalled;
    /** Reads answered by a server that was not leader when the read was issued (thesis §6.4 follower reads). */
    long followerReads;
    /** Follower reads refused (no leader known, leader changed or silent): the client would go to the leader. */
    long followerReadsRefused;

    SimCluster(long seed, Knobs knobs) {
        this.seed = seed;
        this.knobs = knobs;
        this.rnd = new SplittableRandom(seed);
        this.options = new RaftOptions(10, 2, true, true, 4, knobs.batchEntries(), 64 * 1024,
                RaftOptions.leaseTicksFor(10, 0.05));
        List<ServerInfo> config = new ArrayList<>();
        for (int i = 1; i <= knobs.servers(); i++) {
            String id = "n" + i;
            ids.add(id);
            config.add(new ServerInfo(id, new Endpoint("10.0.0." + i, 8300), true));
        }
        for (String id : ids) {
            double rate = 1.0 + (rnd.nextDouble() * 2 - 1) * knobs.drift();
            SimNode n = new SimNode(id, rate);
            // Bootstrap as the driver does: the first configuration at index 1, term 1.
            n.disk.term = 1;
            n.disk.log.add(new LogEntry(1, 1, EntryKind.CONFIGURATION,
                    ServerConfigurations.encode(config)));
            nodes.put(id, n);
        }
        for (SimNode n : nodes.values()) {
            n.boot();
        }
    }

    /** Draws knobs from a seed: cluster size 1, 3 or 5, fault rates, delays and drift. */
    static Knobs knobsFor(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int[] sizes = {1, 3, 3, 5, 5};
        int servers = sizes[r.nextInt(sizes.length)];
        return new Knobs(servers, r.nextDouble() * 0.15, r.nextDouble() * 0.05, 100 + r.nextInt(900),
                2_000 + r.nextInt(20_000), r.nextDouble() * 0.02, true, 10_000, 5 + r.nextInt(40), r.nextInt(10),
                1 + r.nextInt(16), 1 + r.nextInt(10));
    }

    List<String> violations() {
        return violations;
    }

    void violation(String what) {
        if (violations.size() < 20) {
            violations.add("t=" + sched.clock().nanos() / 1_000_000 + "ms " + what);
        }
    }

    long nowNanos() {
        return sched.clock().nanos();
    }

    // ------------------------------------------------------------------ disk

    /** What survives a crash: only what a completed fsync wrote. */
    static final class Disk {
        long term;
        String vote;
        long prevIndex;
        long prevTerm;
        final ArrayList<LogEntry> log = new ArrayList<>();
        long snapIndex;
        long snapTerm;
        List<ServerInfo> snapConfig = List.of();
        byte[] snapData;
    }

    // ------------------------------------------------------------------ node

    /**
     * One simulated server: the production {@link ReadyLoop} over a simulated disk (writes durable
     * only when their simulated fsync completes, one at a time in order), a simulated state
     * machine (a KV register), the simulated network and a clock that drifts at the server's rate.
     */
    final class SimNode {
        final String id;
        final double rate;
        final Disk disk = new Disk();
        final io.tribune.api.Clock clock;
        ReadyLoop loop;
        boolean up;
        int epoch;
        // When the disk is free again: simulated writes complete one at a time, in order.
        long diskBusyUntil;
        // Volatile state, lost on crash.
        TreeMap<String, String> kv = new TreeMap<>();
        long applied;
        long lastCommitSeen;
        Role lastRole = Role.FOLLOWER;
        final Map<Long, byte[]> inboundSnapshots = new LinkedHashMap<>();

        SimNode(String id, double rate) {
            this.id = id;
            this.rate = rate;
            this.clock = sched.clock().withDrift(rate);
        }

        RaftCore core() {
            return loop.core();
        }

        void boot() {
            up = true;
            epoch++;
            kv = new TreeMap<>();
            applied = 0;
            inboundSnapshots.clear();
            recoverLog();
            if (disk.snapData != null) {
                kv = decodeKv(disk.snapData);
                applied = disk.snapIndex;
            }
            lastCommitSeen = disk.snapIndex;
            lastRole = Role.FOLLOWER;
            RaftCore core = new RaftCore(id, options, new SplittableRandom(seed * 31 + id.hashCode() * 17L + epoch),
                    new RaftCore.InitialState(disk.term, disk.vote, disk.snapIndex, disk.snapTerm, disk.snapConfig,
                            disk.prevIndex, disk.prevTerm, List.copyOf(disk.log)));
            int e = epoch;
            java.util.concurrent.Executor executor = task -> sched.execute(() -> {
                if (up && epoch == e) {
                    task.run();
                }
            });
            loop = new ReadyLoop(id, core, disk.snapIndex, disk.snapTerm, new SimDisk(e), new SimMachine(),
                    new SimNetwork(e), clock, executor, new ReadyLoop.Settings(
                            knobs.tickMicros() * 1000L * options.leaseTicks(), knobs.snapshotEvery(), knobs.trailing(),
                            true),
                    QUIET, new Checks());
            loop.begin();
            scheduleTick(e);
        }

        /**
         * As the driver's recovery does: a log that ends inside the newest snapshot, or disagrees
         * with it (the snapshot was stored before the log writes ahead of it completed, or was
         * installed from a leader), is dropped; the snapshot is committed state.
         */
        private void recoverLog() {
            if (disk.snapIndex == 0) {
                return;
            }
            long last = disk.prevIndex + disk.log.size();
            boolean covers = disk.snapIndex == disk.prevIndex ? disk.prevTerm == disk.snapTerm
                    : disk.snapIndex > disk.prevIndex && disk.snapIndex <= last
                    && disk.log.get((int) (disk.snapIndex - disk.prevIndex - 1)).term() == disk.snapTerm;
            if (!covers) {
                disk.log.clear();
                disk.prevIndex = disk.snapIndex;
                disk.prevTerm = disk.snapTerm;
            }
        }

        void crash() {
            up = false;
            epoch++;
            // Outstanding writes are decided when their index commits (see SimMachine.apply);
            // outstanding reads had no effect and are dropped with the loop.
            loop.markClosed();
        }

        private void scheduleTick(int e) {
            long period = (long) (knobs.tickMicros() * 1000 / rate);
            sched.schedule(Duration.ofNanos(period), () -> {
                if (up && epoch == e) {
                    events++;
                    loop.tick();
                    scheduleTick(e);
                }
            });
        }

        /** Runs a simulated disk write after the writes before it and its own fsync time. */
        private CompletableFuture<Void> diskWrite(int e, long micros, Runnable write) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            long at = Math.max(nowNanos(), diskBusyUntil) + micros * 1000;
            diskBusyUntil = at;
            sched.schedule(Duration.ofNanos(at - nowNanos()), () -> {
                if (!up || epoch != e) {
                    return; // crashed before the fsync finished: nothing of this write survives
                }
                write.run();
                done.complete(null);
            });
            return done;
        }

        /** The simulated disk: what completes here is what survives a crash. */
        private final class SimDisk implements ReadyLoop.Disk {
            private final int e;

            SimDisk(int e) {
                this.e = e;
            }

            @Override
            public CompletableFuture<Void> write(Ready r) {
                if (r.hardState() == null && r.entries().isEmpty() && r.truncateFrom() == 0 && r.snapshot() == null) {
                    return CompletableFuture.completedFuture(null);
                }
                return diskWrite(e, 50 + rnd.nextLong(1_000), () -> persist(r)); // 50us..1ms
            }

            @Override
            public CompletableFuture<Void> appendInBackground(List<LogEntry> entries) {
                return diskWrite(e, 50 + rnd.nextLong(1_000), () -> appendDurably(entries));
            }

            @Override
            public CompletableFuture<Void> compactInBackground(long cut) {
                // Called right after the core compacted to cut, so the core knows the term there.
                long cutTerm = core().termAt(cut);
                return diskWrite(e, 0, () -> {
                    if (cut > disk.prevIndex) {
                        long newPrevTerm = cut - disk.prevIndex - 1 < disk.log.size()
                                ? disk.log.get((int) (cut - disk.prevIndex - 1)).term() : cutTerm;
                        int drop = (int) Math.min(disk.log.size(), cut - disk.prevIndex);
                        disk.log.subList(0, drop).clear();
                        disk.prevIndex = cut;
                        disk.prevTerm = newPrevTerm;
                    }
                });
            }
        }

        private void persist(Ready r) {
            if (r.snapshot() != null) {
                Message.InstallSnapshot s = r.snapshot();
                byte[] data = inboundSnapshots.get(s.index());
                if (data == null) {
                    violation(id + ": asked to restore snapshot " + s.index() + " it never received");
                    return;
                }
                disk.snapIndex = s.index();
                disk.snapTerm = s.snapshotTerm();
                disk.snapConfig = s.configuration();
                disk.snapData = data;
                disk.log.clear();
                disk.prevIndex = s.index();
                disk.prevTerm = s.snapshotTerm();
            }
            if (r.hardState() != null) {
                if (r.hardState().term() < disk.term) {
                    violation(id + ": term went back from " + disk.term + " to " + r.hardState().term());
                }
                disk.term = r.hardState().term();
                disk.vote = r.hardState().vote();
            }
            if (r.truncateFrom() > 0) {
                long from = r.truncateFrom();
                int keep = (int) Math.max(0, from - disk.prevIndex - 1);
                if (keep < disk.log.size()) {
                    disk.log.subList(keep, disk.log.size()).clear();
                }
            }
            appendDurably(r.entries());
        }

        private void appendDurably(List<LogEntry> entries) {
            for (LogEntry e : entries) {
                long expect = disk.prevIndex + disk.log.size() + 1;
                if (e.index() != expect) {
                    violation(id + ": persisted entry " + e.index() + " where " + expect + " was expected");
                    return;
                }
                disk.log.add(e);
            }
        }

        /** The simulated state machine: a KV register, checked against every other server's. */
        private final class SimMachine implements ReadyLoop.Machine {
            @Override
            public byte[] apply(LogEntry e) {
                String result = applyEntry(e);
                return result == null ? null : result.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public void restore(Message.InstallSnapshot s) {
                byte[] data = inboundSnapshots.remove(s.index());
                if (data == null) {
                    violation(id + ": asked to restore snapshot " + s.index() + " it never received");
                    return;
                }
                kv = decodeKv(data);
                applied = s.index();
                snapshotsInstalled++;
            }

            @Override
            public CompletableFuture<Void> save(long index, long term, List<ServerInfo> configuration) {
                if (index != applied) {
                    violation(id + ": asked to snapshot index " + index + " with state at " + applied);
                }
                // The snapshot write is modelled as one atomic, durable step (write + rename).
                disk.snapIndex = index;
                disk.snapTerm = term;
                disk.snapConfig = configuration;
                disk.snapData = encodeKv(kv);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public boolean snapshotBusy() {
                return false;
            }
        }

        /** The simulated network, seen from this server. */
        private final class SimNetwork implements ReadyLoop.Network {
            private final int e;

            SimNetwork(int e) {
                this.e = e;
            }

            @Override
            public void send(List<Message> messages) {
                if (up && epoch == e) {
                    for (Message m : messages) {
                        SimCluster.this.send(SimNode.this, m);
                    }
                }
            }

            @Override
            public void learn(List<ServerInfo> servers) {
                // Addresses are the ids in the simulation.
            }

            @Override
            public Endpoint endpointOf(String serverId) {
                return null;
            }
        }

        /** Invariants checked on every ready cycle. */
        private final class Checks implements ReadyLoop.Observer {
            @Override
            public void leadershipChanged(io.tribune.api.consensus.Leadership before,
                                          io.tribune.api.consensus.Leadership now) {
            }

            @Override
            public void readyTaken(Ready r) {
                checkSoft(r);
            }

            @Override
            public void cycleDone() {
                checkCore();
            }
        }

        /** Applies one committed entry to the register; returns a command's result, else null. */
        private String applyEntry(LogEntry e) {
            if (e.index() != applied + 1) {
                violation(id + ": applied " + e.index() + " after " + applied);
            }
            applied = e.index();
            LogEntry g = appliedGlobal.get(e.index());
            if (g == null) {
                if (appliedGlobal.size() < 1_000_000) {
                    appliedGlobal.put(e.index(), e);
                }
            } else if (!g.equals(e)) {
                violation("state machine safety: " + id + " applied " + e + " but another server applied " + g);
            }
            String result = null;
            if (e.kind() == EntryKind.COMMAND) {
                result = applyCommand(kv, e.data());
            }
            if (applyLags != null) {
                if (g == null) {
                    firstApplied.put(e.index(), nowNanos());
                } else {
                    Long first = firstApplied.get(e.index());
                    if (first != null) {
                        applyLags.add(nowNanos() - first);
                    }
                }
            }
            if (g == null) {
                // First apply anywhere: the entry is committed now, so every proposal made for this
                // index is decided. The matching one took effect by this time (its response time is
                // bounded by now even if its client never heard back); the others never will.
                List<Object[]> decided = proposals.remove(e.index());
                if (decided != null) {
                    for (Object[] w : decided) {
                        KvOp op = (KvOp) w[1];
                        int slot = (Integer) w[2];
                        if ((Long) w[0] == e.term()) {
                            history.set(slot, new KvOp(op.id(), op.key(), op.kind(), op.arg1(), op.arg2(), op.invoke(),
                                    nowNanos(), result));
                        } else {
                            history.set(slot, null);
                        }
                    }
                }
            }
            return result;
        }

        private void checkSoft(Ready r) {
            Ready.SoftState s = r.soft();
            if (s.role() == Role.LEADER) {
                String prev = leaders.putIfAbsent(s.term(), id);
                if (prev != null && !prev.equals(id)) {
                    violation("election safety: " + prev + " and " + id + " both lead term " + s.term());
                }
                if (lastRole != Role.LEADER) {
                    checkLeaderCompleteness();
                }
            }
            lastRole = s.role();
        }

        private void checkLeaderCompleteness() {
            RaftCore core = core();
            for (Map.Entry<Long, LogEntry> g : appliedGlobal.tailMap(core.firstIndex(), true).entrySet()) {
                LogEntry mine = core.entryAt(g.getKey());
                if (mine == null || !mine.equals(g.getValue())) {
                    violation("leader completeness: new leader " + id + " of term " + core.term()
                            + " lacks committed entry " + g.getValue() + " (has " + mine + ")");
                    return;
                }
            }
            if (!appliedGlobal.isEmpty() && appliedGlobal.lastKey() < core.firstIndex() - 1
                    && core.snapshotIndex() < appliedGlobal.lastKey()) {
                violation("leader completeness: new leader " + id + " has neither log nor snapshot for "
                        + appliedGlobal.lastKey());
            }
        }

        private void checkCore() {
            RaftCore core = core();
            if (core.commitIndex() < lastCommitSeen) {
                violation(id + ": commit index went back from " + lastCommitSeen + " to " + core.commitIndex());
            }
            lastCommitSeen = core.commitIndex();
        }

        // -------------------------------------------------------------- clients

        void clientWrite(KvOp op) {
            events++;
            ReadyLoop l = loop;
            l.submit(() -> {
                if (!l.running()) {
                    return;
                }
                byte[] cmd = encodeCommand(op);
                try {
                    long index = l.propose(cmd, new CompletableFuture<>());
                    int slot = history.size();
                    history.add(op);
                    proposals.computeIfAbsent(index, k -> new ArrayList<>()).add(new Object[] {l.core().term(), op, slot});
                } catch (Rejected e) {
                    // Refused up front: the operation never happened.
                }
            });
        }

        void clientRead(KvOp op, ReadConsistency mode) {
            events++;
            ReadyLoop l = loop;
            int slot = history.size();
            history.add(null); // filled in when answered; unanswered reads had no effect
            if (mode == ReadConsistency.DEFAULT && l.leaseReadIndex() >= 0) {
                // The driver's fast path, on the caller's thread: answered from the lease at once.
                answer(slot, op);
                return;
            }
            CompletableFuture<Long> f = new CompletableFuture<>();
            boolean follower = l.core().role() != Role.LEADER;
            // Runs where the loop completes the barrier, so the state read is the state at that moment.
            f.whenComplete((index, t) -> {
                if (t == null && up && loop == l) {
                    answer(slot, op);
                    if (follower) {
                        followerReads++;
                    }
                } else if (t != null && follower) {
                    followerReadsRefused++;
                }
            });
            l.submit(() -> {
                if (l.running()) {
                    l.read(mode, f);
                }
            });
        }

        private void answer(int slot, KvOp op) {
            history.set(slot, new KvOp(op.id(), op.key(), op.kind(), null, null, op.invoke(), nowNanos(),
                    kv.get(op.key())));
        }
    }

    /** The loop's log goes nowhere in the simulation (thousands of elections per run). */
    private static final System.Logger QUIET = new System.Logger() {
        @Override
        public String getName() {
            return "sim";
        }

        @Override
        public boolean isLoggable(Level level) {
            return false;
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String msg, Throwable thrown) {
        }

        @Override
        public void log(Level level, java.util.ResourceBundle bundle, String format, Object... params) {
        }
    };

    // ------------------------------------------------------------------ network

    void send(SimNode from, Message m) {
        messagesSent++;
        if (m instanceof Message.InstallSnapshot s) {
            // As the driver ships it: the newest stored snapshot, with its own metadata.
            if (from.disk.snapIndex < s.index() || from.disk.snapData == null) {
                violation(from.id + " sent snapshot " + s.index() + " but stores " + from.disk.snapIndex);
                return;
            }
            m = new Message.InstallSnapshot(s.from(), s.to(), s.term(), from.disk.snapIndex, from.disk.snapTerm,
                    from.disk.snapConfig);
        }
        Message sent = m;
        if (blocked.contains(m.from() + ">" + m.to()) || rnd.nextDouble() < knobs.loss()) {
            if (m instanceof Message.InstallSnapshot) {
                // The driver learns that a stream failed; tell the leader's loop.
                int e = from.epoch;
                sched.schedule(Duration.ofMillis(5), () -> {
                    if (from.up && from.epoch == e) {
                        from.loop.snapshotTransferred(sent.to(), false);
                    }
                });
            }
            return;
        }
        byte[] snapData = m instanceof Message.InstallSnapshot ? from.disk.snapData : null;
        int copies = rnd.nextDouble() < knobs.duplicate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = knobs.minDelayMicros() + rnd.nextLong(knobs.maxDelayMicros() - knobs.minDelayMicros() + 1);
            sched.schedule(Duration.ofNanos(delay * 1000), () -> deliver(sent, snapData));
        }
    }

    private void deliver(Message m, byte[] snapData) {
        SimNode to = nodes.get(m.to());
        if (to == null || !to.up || blocked.contains(m.from() + ">" + m.to())) {
            return;
        }
        events++;
        if (m instanceof Message.InstallSnapshot s) {
            // The driver stores the streamed data before it hands the header to the loop.
            to.inboundSnapshots.put(s.index(), snapData);
            to.loop.installSnapshot(s);
        } else {
            to.loop.step(List.of(m));
        }
    }

    // ------------------------------------------------------------------ log matching, checked periodically

    void checkLogMatching() {
        List<SimNode> live = new ArrayList<>();
        for (SimNode n : nodes.values()) {
            if (n.up) {
                live.add(n);
            }
        }
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                RaftCore a = live.get(i).core();
                RaftCore b = live.get(j).core();
                long lo = Math.max(a.firstIndex(), b.firstIndex());
                long hi = Math.min(a.lastIndex(), b.lastIndex());
                long highestEqual = -1;
                for (long k = hi; k >= lo; k--) {
                    if (a.termAt(k) == b.termAt(k)) {
                        highestEqual = k;
                        break;
                    }
                }
                for (long k = lo; k <= highestEqual; k++) {
                    if (!a.entryAt(k).equals(b.entryAt(k))) {
                        violation("log matching: " + a.id() + " and " + b.id() + " agree at " + highestEqual
                                + " but differ at " + k);
                        return;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ state machine

    static byte[] encodeCommand(KvOp op) {
        String s = op.kind() + "\u0001" + op.key() + "\u0001" + (op.arg1() == null ? "\u0002" : op.arg1())
                + "\u0001" + (op.arg2() == null ? "\u0002" : op.arg2());
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String applyCommand(TreeMap<String, String> kv, byte[] cmd) {
        String[] p = new String(cmd, StandardCharsets.UTF_8).split("\u0001", -1);
        String a1 = p[2].equals("\u0002") ? null : p[2];
        String a2 = p[3].equals("\u0002") ? null : p[3];
        if (p[0].equals("PUT")) {
            kv.put(p[1], a1);
            return "ok";
        }
        if (java.util.Objects.equals(kv.get(p[1]), a1)) {
            kv.put(p[1], a2);
            return "ok";
        }
        return "fail";
    }

    static byte[] encodeKv(TreeMap<String, String> kv) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(b);
            out.writeInt(kv.size());
            for (Map.Entry<String, String> e : kv.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.flush();
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TreeMap<String, String> decodeKv(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int n = in.readInt();
            TreeMap<String, String> kv = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                kv.put(in.readUTF(), in.readUTF());
            }
            return kv;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ the run

    KvOp newOp(KvOp.Kind kind, String key, String a1, String a2) {
        return new KvOp(++nextOpId, key, kind, a1, a2, nowNanos(), Long.MAX_VALUE, null);
    }

    /** Issues one random client operation to a random live server. */
    void randomClientOp() {
        SimNode n = nodes.get(ids.get(rnd.nextInt(ids.size())));
        // Clients find a leader through hints, which may be stale: most of the time they reach a
        // server that believes it leads (any of them, deposed ones included).
        if (rnd.nextInt(3) > 0) {
            List<SimNode> believers = new ArrayList<>();
            for (SimNode c : nodes.values()) {
                if (c.up && c.core().role() == Role.LEADER) {
                    believers.add(c);
                }
            }
            if (!believers.isEmpty()) {
                n = believers.get(rnd.nextInt(believers.size()));
            }
        }
        if (!n.up) {
            return;
        }
        String key = "k" + rnd.nextInt(6);
        int kind = rnd.nextInt(10);
        if (kind < 4) {
            n.clientWrite(newOp(KvOp.Kind.PUT, key, "v" + nextOpId, null));
        } else if (kind < 6) {
            String expect = rnd.nextBoolean() ? null : "v" + rnd.nextLong(Math.max(1, nextOpId));
            n.clientWrite(newOp(KvOp.Kind.CAS, key, expect, "v" + nextOpId));
        } else {
            n.clientRead(newOp(KvOp.Kind.GET, key, null, null),
                    kind >= 8 ? ReadConsistency.DEFAULT : ReadConsistency.CONSISTENT);
        }
    }

    /** Applies one random fault (or heals). */
    void randomFault() {
        int f = rnd.nextInt(10);
        String a = ids.get(rnd.nextInt(ids.size()));
        String b = ids.get(rnd.nextInt(ids.size()));
        if (f < 2) {
            SimNode n = nodes.get(a);
            if (n.up) {
                crashes++;
                n.crash();
                long down = 50 + rnd.nextLong(1_000);
                sched.schedule(Duration.ofMillis(down), () -> {
                    if (!n.up) {
                        n.boot();
                    }
                });
            }
        } else if (f < 4) {
            partitions++;
            // Isolate one server both ways.
            for (String o : ids) {
                if (!o.equals(a)) {
                    blocked.add(a + ">" + o);
                    blocked.add(o + ">" + a);
                }
            }
        } else if (f < 5 && !a.equals(b)) {
            partitions++;
            blocked.add(a + ">" + b); // asymmetric
        } else if (f < 6) {
            partitions++;
            // Split into two random halves.
            blocked.clear();
            List<String> side = new ArrayList<>();
            for (String o : ids) {
                if (rnd.nextBoolean()) {
                    side.add(o);
                }
            }
            for (String x : ids) {
                for (String y : ids) {
                    if (side.contains(x) != side.contains(y)) {
                        blocked.add(x + ">" + y);
                    }
                }
            }
        } else {
            blocked.clear();
        }
    }

    /**
     * Runs {@code faultMillis} of random faults and client load, then heals everything, restarts
     * crashed servers and requires a write to commit within {@code healMillis} (liveness).
     */
    void run(long faultMillis, long healMillis) {
        long end = nowNanos() + faultMillis * 1_000_000;
        scheduleLoad(end);
        if (knobs.faults()) {
            scheduleFaults(end);
        }
        long checks = 0;
        while (nowNanos() < end && violations.isEmpty()) {
            if (!sched.runNext()) {
                break;
            }
            if (++checks % 256 == 0) {
                checkLogMatching();
            }
        }
        blocked.clear();
        for (SimNode n : nodes.values()) {
            if (!n.up) {
                n.boot();
            }
        }
        // Liveness: after healing, a write must commit.
        long deadline = nowNanos() + healMillis * 1_000_000;
        boolean[] done = {false};
        KvOp[] probe = {null};
        while (!done[0] && nowNanos() < deadline && violations.isEmpty()) {
            long stepEnd = nowNanos() + 50_000_000;
            for (SimNode n : nodes.values()) {
                if (n.up && n.core().role() == Role.LEADER && probe[0] == null) {
                    probe[0] = newOp(KvOp.Kind.PUT, "k0", "final", null);
                    n.clientWrite(probe[0]);
                }
            }
            sched.runUntil(() -> false, Duration.ofNanos(stepEnd - nowNanos()));
            for (KvOp op : history) {
                if (op != null && probe[0] != null && op.id() == probe[0].id() && !op.unknown()) {
                    done[0] = true;
                }
            }
            if (!done[0] && probe[0] != null && nowNanos() > deadline - healMillis * 500_000) {
                probe[0] = null; // retry once more on the current leader
            }
        }
        checkLogMatching();
        if (!done[0] && violations.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (SimNode n : nodes.values()) {
                sb.append(n.up ? n.core() : n.id + "{down}").append(' ');
            }
            violation("liveness: no write committed within " + healMillis + "ms after healing: " + sb);
        }
    }

    private void scheduleLoad(long end) {
        long gap = 1 + rnd.nextLong(knobs.loadGapMillis() * 2L);
        sched.schedule(Duration.ofMillis(gap), () -> {
            if (nowNanos() < end) {
                randomClientOp();
                scheduleLoad(end);
            }
        });
    }

    private void scheduleFaults(long end) {
        long gap = 100 + rnd.nextLong(600);
        sched.schedule(Duration.ofMillis(gap), () -> {
            if (nowNanos() < end) {
                randomFault();
                scheduleFaults(end);
            }
        });
    }

    /**
     * Failover measurement: runs load for {@code warmupMillis}, crashes the leader and returns the
     * virtual nanoseconds until some server commits an entry of a newer term, or -1 when none did
     * within 30 s.
     */
    long failoverNanos(long warmupMillis) {
        scheduleLoad(Long.MAX_VALUE);
        sched.runFor(Duration.ofMillis(warmupMillis));
        SimNode leader = null;
        for (SimNode n : nodes.values()) {
            if (n.up && n.core().role() == Role.LEADER) {
                leader = n;
            }
        }
        if (leader == null) {
            return -1;
        }
        long oldTerm = leader.core().term();
        leader.crash();
        long crashedAt = nowNanos();
        boolean ok = sched.runUntil(() -> {
            for (SimNode n : nodes.values()) {
                if (n.up && n.core().commitIndex() > 0 && n.core().termAt(n.core().commitIndex()) > oldTerm) {
                    return true;
                }
            }
            return false;
        }, Duration.ofSeconds(30));
        return ok ? nowNanos() - crashedAt : -1;
    }

    /**
     * Stale-read window measurement: runs client load for {@code millis} and returns, for every
     * entry applied by another server after the first (the leader that committed it), the virtual
     * nanoseconds between the two applies.
     */
    List<Long> applyLags(long millis) {
        firstApplied = new java.util.HashMap<>();
        applyLags = new ArrayList<>();
        long end = nowNanos() + millis * 1_000_000;
        scheduleLoad(end);
        sched.runFor(Duration.ofMillis(millis));
        List<Long> out = applyLags;
        applyLags = null;
        firstApplied = null;
        return out;
    }

    /** The recorded history, without operations that provably never happened. */
    List<KvOp> finishedHistory() {
        List<KvOp> out = new ArrayList<>();
        for (KvOp op : history) {
            if (op != null && !(op.kind() == KvOp.Kind.GET && op.unknown())) {
                out.add(op);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "seed=" + seed + " " + knobs + " nodes=" + Arrays.toString(nodes.values().stream()
                .map(n -> n.up ? n.core().toString() : n.id + "{down}").toArray());
    }
}
