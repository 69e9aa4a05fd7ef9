package io.tribune.raft.internal.driver;

import io.tribune.api.Clock;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.FollowerProgress;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.raft.internal.core.Message;
import io.tribune.raft.internal.core.RaftCore;
import io.tribune.raft.internal.core.Ready;
import io.tribune.raft.internal.core.Rejected;
import io.tribune.raft.internal.core.Role;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The loop that runs one {@link RaftCore}: it feeds the core its inputs (ticks, messages,
 * proposals, reads), then carries out each {@link Ready} in the order that type states: persist,
 * send, apply, serve reads, advance. It talks to the world only through four small interfaces
 * ({@link Disk}, {@link Machine}, {@link Network}, and a {@link Clock}) and an {@link Executor} for
 * its own continuations, so the production driver ({@link RaftConsensus}) and the deterministic
 * simulation run the same loop with different implementations behind them.
 *
 * <p><b>Order of a cycle.</b> A leader's cycle that persists nothing but new entries sends its
 * messages first and appends in the background (thesis §10.2.1): the followers' fsyncs overlap
 * its own, and the core counts the leader toward a commit only after {@link RaftCore#advance}
 * reports the entries durable, which the loop does in the order the writes were handed out. Every
 * other cycle (a follower's, or one that persists a term, a vote, a truncation or an installed
 * snapshot) is written by {@link Disk#write} first, and its messages leave only once that write is
 * durable (persist before send, Raft Figure 2). Everything proposed between two cycles goes into
 * one append (group commit: proposals call {@link #scheduleProcess()}, which coalesces); so do the
 * entries of every message batch {@link #step stepped} between two cycles, so a follower fsyncs
 * once for all the appends that arrived during its last write.
 *
 * <p><b>Fail-stop.</b> A machine that cannot apply a committed entry (it throws, or returns null
 * for a command), or a write that fails, stops the loop for good (see {@code stop}): no input
 * reaches the core any more, so the server applies, votes, appends and leads no more, and every
 * pending operation fails naming the reason.
 *
 * <p><b>Reads.</b> On the leader, DEFAULT reads are answered from the lease on the caller's thread
 * ({@link #leaseReadIndex()}) or by the core; on a follower, DEFAULT and CONSISTENT reads ask the
 * leader for a read index (thesis §6.4), at most one request per mode in flight, and complete once
 * the follower has applied that index.
 *
 * <p><b>Waiting.</b> A synchronous write that has not completed, or that must wait for
 * background writes before it, holds the cycle; inputs that arrive meanwhile (everything given to
 * {@link #submit}) wait in order and run once the cycle is done, as they would behind a blocked
 * thread. The production {@link Disk} completes synchronous writes at once; the simulation's
 * completes them after a simulated fsync.
 *
 * <p><b>Threading.</b> Confined: every method runs on the loop's thread (the serial executor given
 * to the constructor, or the simulation's thread), except the getters documented as thread-safe.
 */
public final class ReadyLoop {

    /** The durable log and hard state, as the loop uses them. */
    public interface Disk {
        /**
         * Durably writes what a synchronous cycle needs: when {@link Ready#snapshot()} is set, the
         * log is reset to that snapshot (its data is already stored); then the hard state, the
         * truncation and the entries of {@code ready}. Called only when no background write is
         * pending. The future completes when everything is durable, possibly before this returns,
         * and fails when a write failed (the server then stops).
         */
        CompletableFuture<Void> write(Ready ready);

        /** Appends a leader's entries after every earlier write, in the background. */
        CompletableFuture<Void> appendInBackground(List<LogEntry> entries);

        /** Drops log entries up to {@code throughIndex} after every earlier write, in the background. */
        CompletableFuture<Void> compactInBackground(long throughIndex);
    }

    /** The replicated state machine and its snapshots, as the loop uses them. */
    public interface Machine {
        /**
         * Applies a committed entry (every kind, in index order, each once); returns the result
         * for a command, null for other kinds.
         */
        byte[] apply(LogEntry entry);

        /** Replaces the state with the snapshot the core just installed (already durable). */
        void restore(Message.InstallSnapshot snapshot);

        /**
         * Captures the state as applied now, at {@code index} of {@code term}, and stores it as a
         * snapshot with {@code configuration}; the future completes once it is stored. Returns null,
         * changing nothing, when a snapshot is being written or received already.
         *
         * @throws RuntimeException when capturing failed (nothing was stored)
         */
        CompletableFuture<Void> save(long index, long term, List<ServerInfo> configuration);

        /** Whether a snapshot is being written or received (no automatic snapshot starts meanwhile). */
        boolean snapshotBusy();
    }

    /** Messages to other servers. */
    public interface Network {
        /** Sends {@code messages} (InstallSnapshot included, which ships the stored snapshot); never blocks. */
        void send(List<Message> messages);

        /** The addresses of a configuration the state machine applied. */
        void learn(List<ServerInfo> servers);

        /** Where server {@code serverId} was last heard from or configured at; null when unknown. */
        Endpoint endpointOf(String serverId);
    }

    /** What the loop reports; called on the loop's thread. */
    public interface Observer {
        /** Leadership (term, role or leader) changed. */
        void leadershipChanged(Leadership before, Leadership now);

        /** A ready cycle was taken from the core, before anything of it is done (for the simulation's checks). */
        default void readyTaken(Ready ready) {
        }

        /** A ready cycle is done and the core advanced (for the simulation's checks). */
        default void cycleDone() {
        }
    }

    /**
     * The loop's tunables.
     *
     * @param leaseNanos        how long after the send of a round a majority acknowledged the
     *                          leader may answer DEFAULT reads without asking the core
     * @param snapshotThreshold entries applied since the last snapshot that trigger one
     * @param trailingLogs      entries kept behind a snapshot
     * @param followerReads     whether a follower serves DEFAULT and CONSISTENT reads with a read
     *                          index from its leader; when false it refuses them (NotLeaderException)
     */
    public record Settings(long leaseNanos, long snapshotThreshold, long trailingLogs, boolean followerReads) {
    }

    /** What {@code stats()} reports, captured after each ready cycle. */
    public record StatsView(Role role, long term, long commitIndex, long lastLogIndex, long lastLogTerm,
                            long snapshotIndex, String leader, List<ServerInfo> configuration,
                            long configurationIndex) {
    }

    private record PendingWrite(long term, CompletableFuture<Object> future, boolean command) {
    }

    private record PendingTransfer(String target, CompletableFuture<Void> future) {
    }

    /**
     * A follower's reads of one mode (thesis §6.4, reads from followers): at most one ReadIndex is
     * in flight to the leader; the reads that arrive meanwhile wait and share the next one, so a
     * burst of reads costs two round trips to the leader, not one each (the batching the leader's
     * core does for its own rounds).
     */
    private static final class FollowerReads {
        final ReadConsistency mode;
        long inFlight;
        List<CompletableFuture<Long>> waiting = new ArrayList<>();

        FollowerReads(ReadConsistency mode) {
            this.mode = mode;
        }
    }

    /** Reads that share one read request: the follower's batch, waiting for its index. */
    private record ReadGroup(FollowerReads batch, List<CompletableFuture<Long>> futures) {
    }

    /** A leader's background log write, and the Ready to advance when it is done. */
    private record InFlight(Ready ready, CompletableFuture<Void> done) {
    }

    /** A synchronous cycle held until its write (or the background writes before it) completes. */
    private static final class Held {
        final Ready ready;
        CompletableFuture<Void> write;

        Held(Ready ready) {
            this.ready = ready;
        }
    }

    private final String id;
    private final RaftCore core;
    private final Disk disk;
    private final Machine machine;
    private final Network network;
    private final Clock clock;
    private final Executor executor;
    private final Settings settings;
    private final System.Logger log;
    private final Observer observer;

    private final Map<Long, PendingWrite> pendingWrites = new LinkedHashMap<>();
    private final Map<Long, CompletableFuture<Long>> pendingReads = new LinkedHashMap<>();
    private final List<long[]> confirmedReads = new ArrayList<>();
    private final FollowerReads defaultReads = new FollowerReads(ReadConsistency.DEFAULT);
    private final FollowerReads consistentReads = new FollowerReads(ReadConsistency.CONSISTENT);
    // Follower read requests by id, until the core's ReadState for them; then, when confirmed, in
    // confirmedGroups with their index until the state machine has applied it.
    private final Map<Long, ReadGroup> readGroups = new LinkedHashMap<>();
    private final List<Map.Entry<Long, List<CompletableFuture<Long>>>> confirmedGroups = new ArrayList<>();
    private final List<PendingTransfer> pendingTransfers = new ArrayList<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Runnable> inbox = new ArrayDeque<>();
    // Received snapshots handed over but not yet taken by the core (they wait while a write is held).
    private final List<CompletableFuture<Void>> pendingInstalls = new ArrayList<>();
    // Send times of heartbeat rounds (context seq -> clock nanos): the lease runs from the send of
    // the round a majority acknowledged.
    private final TreeMap<Long, Long> roundSentNanos = new TreeMap<>();
    private CompletableFuture<Void> ioTail = CompletableFuture.completedFuture(null);
    private Held held;
    private boolean processScheduled;
    private boolean processing;
    private boolean processAgain;
    private long nextReadId;
    private long lastSnapshotIndex;
    private long appliedTerm;

    private volatile boolean closed;
    // Why the loop stopped for good (fail-stop), or null while it runs.
    private volatile String stopped;
    private volatile long appliedIndex;
    // Lease fast path for DEFAULT reads (thesis §6.4.1), published after each cycle: clock nanos
    // before which this leader may serve at its applied index without entering the loop; 0 when it
    // may not.
    private volatile long leaseDeadlineNanos;
    private volatile int ticksSinceContact = Integer.MAX_VALUE;
    // Autopilot health: clock nanos of each follower's last answer to this leader (loop thread only;
    // cleared when the term or the role changes, so an answer to an earlier leader never counts) and
    // the published view {id -> {match index, answer nanos or Long.MIN_VALUE}}, ordered by id.
    private final Map<String, Long> answeredNanos = new LinkedHashMap<>();
    private long answeredTerm = -1;
    private volatile Map<String, long[]> followerView = Map.of();
    private volatile Leadership leadership = new Leadership(0, false, Optional.empty());
    private volatile List<ServerInfo> configuration;
    private volatile StatsView stats;

    /**
     * A loop over {@code core}, which must not be used by anyone else from now on.
     *
     * @param appliedIndex index of the state the machine holds already (the restored snapshot's)
     * @param appliedTerm  its term
     */
    public ReadyLoop(String id, RaftCore core, long appliedIndex, long appliedTerm, Disk disk, Machine machine,
                     Network network, Clock clock, Executor executor, Settings settings, System.Logger log,
                     Observer observer) {
        this.id = id;
        this.core = core;
        this.disk = disk;
        this.machine = machine;
        this.network = network;
        this.clock = clock;
        this.executor = executor;
        this.settings = settings;
        this.log = log;
        this.observer = observer;
        this.appliedIndex = appliedIndex;
        this.appliedTerm = appliedTerm;
        this.lastSnapshotIndex = core.snapshotIndex();
        this.configuration = core.configuration();
    }

    // ------------------------------------------------------------------ thread-safe getters

    /** The core; only for use on the loop's thread (the simulation checks invariants on it). */
    public RaftCore core() {
        return core;
    }

    /** Index of the last entry applied to the state machine. Thread-safe. */
    public long appliedIndex() {
        return appliedIndex;
    }

    /** Leadership as of the last cycle. Thread-safe. */
    public Leadership leadership() {
        return leadership;
    }

    /** The latest configuration as of the last cycle. Thread-safe. */
    public List<ServerInfo> configuration() {
        return configuration;
    }

    /** Figures as of the last cycle; null before the first. Thread-safe. */
    public StatsView stats() {
        return stats;
    }

    /** Ticks since this server last heard from a leader; {@code Integer.MAX_VALUE} when never. Thread-safe. */
    public int ticksSinceContact() {
        return ticksSinceContact;
    }

    /**
     * On the leader, every other server of the configuration with its match index and the time since
     * it last answered this leader (on the loop's clock); empty otherwise. Any thread; the view is
     * the one published by the loop's last step or tick.
     */
    public List<FollowerProgress> followerProgress() {
        Map<String, long[]> view = followerView;
        if (view.isEmpty()) {
            return List.of();
        }
        long now = clock.nanos();
        List<FollowerProgress> out = new ArrayList<>(view.size());
        for (Map.Entry<String, long[]> e : view.entrySet()) {
            long at = e.getValue()[1];
            java.time.Duration since = at == Long.MIN_VALUE ? java.time.Duration.ofMillis(Long.MAX_VALUE)
                    : java.time.Duration.ofNanos(Math.max(0, now - at));
            out.add(new FollowerProgress(e.getKey(), e.getValue()[0], since));
        }
        return out;
    }

    /** Loop thread: republishes {@link #followerProgress}'s view after a step or tick. */
    private void publishFollowers() {
        if (core.role() != Role.LEADER || core.term() != answeredTerm) {
            answeredNanos.clear();
            answeredTerm = core.role() == Role.LEADER ? core.term() : -1;
        }
        if (core.role() != Role.LEADER) {
            if (!followerView.isEmpty()) {
                followerView = Map.of();
            }
            return;
        }
        Map<String, long[]> view = new TreeMap<>();
        List<ServerInfo> servers = configuration;
        if (servers != null) {
            for (ServerInfo s : servers) {
                if (s.id().equals(id)) {
                    continue;
                }
                var p = core.progress(s.id());
                view.put(s.id(), new long[] {p == null ? 0 : p.match(), answeredNanos.getOrDefault(s.id(), Long.MIN_VALUE)});
            }
        }
        followerView = java.util.Collections.unmodifiableMap(view);
    }

    /**
     * Why the loop stopped for good (a state machine that failed to apply a committed entry, or a
     * storage write that failed), or null while it runs. Thread-safe.
     */
    public String stopped() {
        return stopped;
    }

    /** Whether the loop still takes inputs: neither closed nor stopped. Thread-safe. */
    public boolean running() {
        return !closed && stopped == null;
    }

    /**
     * The applied index when a DEFAULT read may be answered at once from the lease (this server
     * leads, has applied its term's first entry and a majority acknowledged a round sent less than
     * the lease ago); -1 when it may not. Thread-safe: this is the fast path callers take on their
     * own thread.
     */
    public long leaseReadIndex() {
        long deadline = leaseDeadlineNanos;
        if (deadline != 0 && clock.nanos() - deadline < 0) {
            // Within the lease: no other leader exists, and everything acknowledged is applied.
            return appliedIndex;
        }
        return -1;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * Runs {@code input} (which may touch the core and then calls {@link #process()} or
     * {@link #scheduleProcess()}) now, or after the cycle that is waiting for its write, in
     * submission order. An input must first check {@link #running()}: once the loop stopped,
     * inputs still run (so that they can fail what they carry) but must not touch the core.
     */
    public void submit(Runnable input) {
        if (running() && (held != null || !inbox.isEmpty())) {
            inbox.add(input);
            return;
        }
        // Inputs check whether the loop still runs, and refuse what they carry when it does not.
        input.run();
    }

    /** One tick of the logical clock. */
    public void tick() {
        submit(() -> {
            if (!running()) {
                return;
            }
            core.tick();
            // Last contact keeps growing while no leader is known (a candidate's election timer
            // restarts, so the core's count cannot be used then); stale reads report it.
            if (core.leader() != null) {
                ticksSinceContact = core.ticksSinceLeaderContact();
            } else if (ticksSinceContact != Integer.MAX_VALUE) {
                ticksSinceContact = ticksSinceContact + 1;
            }
            publishFollowers();
            process();
        });
    }

    /** Messages from other servers; one that the core refuses is logged and dropped. */
    public void step(List<Message> messages) {
        submit(() -> {
            if (!running()) {
                return;
            }
            for (Message m : messages) {
                if (m instanceof Message.ReadIndex ri && ri.lease() && leaseReadIndex() < 0) {
                    // A follower's DEFAULT read is answered from the lease only while the lease also
                    // holds in clock time, as the leader's own DEFAULT reads on the fast path are
                    // (ticks that ran late stretch the core's tick-counted lease); otherwise it is
                    // confirmed as a CONSISTENT read is, by a heartbeat round.
                    m = new Message.ReadIndex(ri.from(), ri.to(), ri.term(), ri.id(), false);
                }
                try {
                    core.step(m);
                    if (m instanceof Message.AppendEntriesResponse r && core.role() == Role.LEADER
                            && r.term() == core.term()) {
                        answeredNanos.put(r.from(), clock.nanos());
                    }
                } catch (RuntimeException e) {
                    log.log(System.Logger.Level.WARNING, "dropped message " + m.getClass().getSimpleName() + " from "
                            + m.from() + ": " + e.getMessage());
                }
            }
            publishFollowers();
            // Coalesced, as proposals are: batches that arrived while the last cycle ran (a
            // follower's fsync, most often) are all stepped before the one cycle that follows, so a
            // follower writes them with one fsync and answers them together, instead of one fsync
            // each, and a leader handles a burst of answers in one cycle.
            scheduleProcess();
        });
    }

    /**
     * Hands a received snapshot's header to the core (its data is stored already); the future
     * completes once the core took it, or fails with the core's refusal.
     */
    public CompletableFuture<Void> installSnapshot(Message.InstallSnapshot header) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running()) {
            done.complete(null);
            return done;
        }
        pendingInstalls.add(done);
        submit(() -> {
            pendingInstalls.remove(done);
            try {
                if (running()) {
                    core.step(header);
                    process();
                }
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The network's report on a snapshot transfer to {@code peer}. */
    public void snapshotTransferred(String peer, boolean ok) {
        submit(() -> {
            if (!running()) {
                return;
            }
            core.snapshotTransferred(peer, ok);
            process();
        });
    }

    /**
     * Proposes a command; {@code done} completes with its {@link Applied} once applied here. To be
     * called inside {@link #submit}.
     *
     * @return the entry's index
     * @throws Rejected when not leader, or during a leader transfer
     */
    public long propose(byte[] command, CompletableFuture<Object> done) {
        long index = core.propose(EntryKind.COMMAND, command);
        pendingWrites.put(index, new PendingWrite(core.term(), done, true));
        scheduleProcess();
        return index;
    }

    /**
     * Proposes a configuration; {@code done} completes once it is applied here (at once when it
     * equals the current one). To be called inside {@link #submit}.
     *
     * @throws Rejected              when not leader, or the change is refused
     * @throws IllegalArgumentException when the configuration is invalid
     */
    public void proposeConfiguration(List<ServerInfo> servers, CompletableFuture<Object> done) {
        long index = core.proposeConfiguration(servers);
        if (index == 0) {
            done.complete(null);
            return;
        }
        configuration = core.configuration();
        pendingWrites.put(index, new PendingWrite(core.term(), done, false));
        scheduleProcess();
    }

    /**
     * Starts a read barrier of {@code mode} (DEFAULT or CONSISTENT); {@code done} completes with
     * the index once the state machine has applied it, or fails with {@link NotLeaderException}.
     * On a follower the leader is asked for the index (one request per mode in flight, see
     * {@link FollowerReads}); it fails with NotLeaderException when no leader is known, or the
     * leader refuses, changes or does not answer within an election timeout. To be called inside
     * {@link #submit}.
     */
    public void read(ReadConsistency mode, CompletableFuture<Long> done) {
        if (core.role() != Role.LEADER) {
            if (!settings.followerReads()) {
                done.completeExceptionally(notLeader());
                return;
            }
            FollowerReads batch = mode == ReadConsistency.DEFAULT ? defaultReads : consistentReads;
            batch.waiting.add(done);
            if (batch.inFlight == 0) {
                askLeader(batch);
            }
            return;
        }
        long rid = ++nextReadId;
        pendingReads.put(rid, done);
        try {
            core.read(rid, mode == ReadConsistency.DEFAULT);
        } catch (Rejected e) {
            pendingReads.remove(rid);
            done.completeExceptionally(notLeader());
            return;
        }
        // Coalesced: reads queued behind this one join the same ready cycle.
        scheduleProcess();
    }

    /** Forgets a read whose caller gave up (timed out). */
    public void forgetRead(CompletableFuture<Long> done) {
        pendingReads.values().remove(done);
        defaultReads.waiting.remove(done);
        consistentReads.waiting.remove(done);
    }

    /** Sends the reads waiting in {@code batch} as one read request (to the leader, or locally when leading). */
    private void askLeader(FollowerReads batch) {
        List<CompletableFuture<Long>> group = batch.waiting;
        batch.waiting = new ArrayList<>();
        long rid = ++nextReadId;
        try {
            core.read(rid, batch.mode == ReadConsistency.DEFAULT);
        } catch (Rejected e) {
            for (CompletableFuture<Long> f : group) {
                f.completeExceptionally(notLeader());
            }
            return;
        }
        batch.inFlight = rid;
        readGroups.put(rid, new ReadGroup(batch, group));
        scheduleProcess();
    }

    /** The core's answer to a follower read request: wait for its index, or refuse; then send the next batch. */
    private void groupAnswered(Ready.ReadState rs, ReadGroup g) {
        if (rs.ok()) {
            confirmedGroups.add(Map.entry(rs.index(), g.futures()));
        } else {
            for (CompletableFuture<Long> f : g.futures()) {
                f.completeExceptionally(notLeader());
            }
        }
        FollowerReads batch = g.batch();
        if (batch.inFlight == rs.id()) {
            batch.inFlight = 0;
            if (!batch.waiting.isEmpty()) {
                askLeader(batch);
            }
        }
    }

    /**
     * Starts a leader transfer to {@code target} (or the most up-to-date voter when null);
     * {@code done} completes when the target leads. To be called inside {@link #submit}.
     *
     * @throws Rejected when not leader or the target is not another voter
     */
    public void transferLeadership(String target, CompletableFuture<Void> done) {
        String chosen = core.transferLeadership(target);
        pendingTransfers.add(new PendingTransfer(chosen, done));
        process();
    }

    /** Forgets a transfer whose caller gave up. */
    public void forgetTransfer(CompletableFuture<Void> done) {
        pendingTransfers.removeIf(p -> p.future() == done);
    }

    /** Publishes the core's initial state and runs a first cycle (a restart may have work at once). */
    public void begin() {
        publish(core.softState());
        process();
    }

    /**
     * Stops the loop for good (close): pending operations fail with {@code cause}. May be called
     * from any thread for the flag; the futures are failed on the loop's thread by
     * {@link #failPending}.
     */
    public void markClosed() {
        closed = true;
    }

    /** Fails every pending operation with {@code cause}. */
    public void failPending(ConsensusException cause) {
        failAll(cause);
    }

    /** Leadership after a close: not leader, no leader known. Publishes it to the observer. */
    public void publishClosed() {
        Leadership before = leadership;
        leadership = new Leadership(before.term(), false, Optional.empty());
        observer.leadershipChanged(before, leadership);
    }

    // ------------------------------------------------------------------ the cycle

    /** Runs {@link #process()} soon, once, however often it is asked before it runs. */
    public void scheduleProcess() {
        if (!processScheduled) {
            processScheduled = true;
            executor.execute(() -> {
                processScheduled = false;
                process();
            });
        }
    }

    /** Runs ready cycles until the core has nothing more or a write must be waited for. */
    public void process() {
        if (processing) {
            // Called back from inside a cycle (a future's callback, a failed snapshot send): the
            // running loop looks at the core again before it returns.
            processAgain = true;
            return;
        }
        processing = true;
        try {
            do {
                processAgain = false;
                runCycles();
            } while (processAgain && running() && held == null);
        } finally {
            processing = false;
        }
        if (held == null && !inbox.isEmpty() && running()) {
            executor.execute(this::drainInbox);
        }
    }

    private void drainInbox() {
        while (held == null && !inbox.isEmpty() && running()) {
            inbox.poll().run();
        }
    }

    private void runCycles() {
        if (!running()) {
            return;
        }
        if (held != null && !finishHeld()) {
            return;
        }
        if (!drainPersisted()) {
            return;
        }
        int cycles = 0;
        while (core.hasReady() && cycles++ < 64) {
            Ready r = core.ready();
            observer.readyTaken(r);
            if (r.soft().role() != Role.LEADER || core.leaderTransferInProgress()) {
                // Before any TimeoutNow leaves: the target may win at once, so the lease ends now.
                leaseDeadlineNanos = 0;
            }
            // A leader may send its appends before its own write (thesis §10.2.1): it counts itself
            // toward a commit only once advance() reports the entries durable, so the followers'
            // fsyncs overlap its own. Anything that votes or acknowledges (a term or vote to persist,
            // a truncation, a follower's answers) still goes out only after the write.
            boolean sendFirst = sendsFirst(r);
            // A leader's appends are also written in the background, so that the followers' answers
            // are handled (and entries committed) while its own fsync runs, instead of after it and
            // after the next batch's; advance() follows when the write is done, in order.
            boolean async = sendFirst && !r.entries().isEmpty();
            if (sendFirst) {
                send(r.messages());
            }
            if (async) {
                inFlight.add(new InFlight(r, background(disk.appendInBackground(r.entries()))));
            } else {
                // Storage writes stay in order, and nothing is acknowledged before what precedes it
                // is durable: a synchronous write waits for the background writes handed out before.
                held = new Held(r);
                if (!finishHeld()) {
                    return;
                }
                continue;
            }
            finishCycle(r, true, true);
            if (!running()) {
                return;
            }
        }
        if (core.hasReady()) {
            scheduleProcess();
        }
        publishLease();
    }

    private static boolean sendsFirst(Ready r) {
        return r.soft().role() == Role.LEADER && r.hardState() == null && r.truncateFrom() == 0
                && r.snapshot() == null;
    }

    /**
     * Moves the held synchronous cycle on: waits for the background writes before it, then for its
     * own write, then finishes it. False while it must still wait (a completion wakes the loop).
     */
    private boolean finishHeld() {
        Held h = held;
        if (h.write == null) {
            if (!ioTail.isDone()) {
                // Every background write wakes the loop when it completes (see background()).
                return false;
            }
            if (!drainPersisted()) {
                return false;
            }
            try {
                h.write = disk.write(h.ready);
            } catch (RuntimeException e) {
                h.write = CompletableFuture.failedFuture(e);
            }
            if (!h.write.isDone()) {
                h.write.whenComplete((v, t) -> executor.execute(this::process));
                return false;
            }
        } else if (!h.write.isDone()) {
            return false;
        }
        held = null;
        if (h.write.isCompletedExceptionally()) {
            storageFailed(cause(h.write));
            return false;
        }
        try {
            if (h.ready.snapshot() != null) {
                installed(h.ready.snapshot());
            }
        } catch (RuntimeException e) {
            storageFailed(e);
            return false;
        }
        finishCycle(h.ready, sendsFirst(h.ready), false);
        return running();
    }

    /** Send (unless sent already), apply, serve reads, advance (unless the write is in flight). */
    private void finishCycle(Ready r, boolean alreadySent, boolean async) {
        if (!alreadySent) {
            send(r.messages());
        }
        for (LogEntry e : r.committed()) {
            if (!apply(e)) {
                return;
            }
        }
        for (Ready.ReadState rs : r.reads()) {
            ReadGroup g = readGroups.remove(rs.id());
            if (g != null) {
                groupAnswered(rs, g);
            } else if (rs.ok()) {
                confirmedReads.add(new long[] {rs.id(), rs.index()});
            } else {
                CompletableFuture<Long> f = pendingReads.remove(rs.id());
                if (f != null) {
                    f.completeExceptionally(notLeader());
                }
            }
        }
        serveReads();
        if (!async) {
            core.advance(r);
        }
        publish(r.soft());
        maybeSnapshot();
        observer.cycleDone();
    }

    private void installed(Message.InstallSnapshot s) {
        machine.restore(s);
        appliedIndex = s.index();
        appliedTerm = s.snapshotTerm();
        lastSnapshotIndex = s.index();
        failPendingWrites(new ConsensusException("state replaced by a snapshot from the leader; outcome unknown"));
    }

    /** Records a background write as the newest I/O and wakes the loop when it is done. */
    private CompletableFuture<Void> background(CompletableFuture<Void> write) {
        ioTail = write;
        write.whenComplete((v, t) -> executor.execute(this::process));
        return write;
    }

    /**
     * Advances the core past the leader writes that are done, in the order they were handed out;
     * false (and the server stops) when one failed.
     */
    private boolean drainPersisted() {
        while (!inFlight.isEmpty() && inFlight.peek().done().isDone()) {
            InFlight w = inFlight.poll();
            if (w.done().isCompletedExceptionally()) {
                storageFailed(cause(w.done()));
                return false;
            }
            core.advance(w.ready());
        }
        return true;
    }

    private static RuntimeException cause(CompletableFuture<?> f) {
        Throwable t = f.handle((v, x) -> x).join();
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RuntimeException re ? re : new ConsensusException(String.valueOf(t.getMessage()), t);
    }

    private void storageFailed(RuntimeException e) {
        // A server that cannot write cannot take part safely: stop, as after a crash.
        stop("storage failed: " + e.getMessage(), e);
    }

    /**
     * Fail-stop: the loop takes no input from now on (no tick, message, proposal or read reaches
     * the core, so the server applies, votes, appends and leads no more; the others stop hearing
     * from it and go on without it), every pending operation fails naming {@code reason}, the
     * lease ends, and leadership reads as not leader. Only a restart brings the server back.
     */
    private void stop(String reason, Throwable cause) {
        if (!running()) {
            return;
        }
        // Stopped and not leader before any future fails: whoever a failure wakes sees both.
        stopped = reason;
        leaseDeadlineNanos = 0;
        Leadership before = leadership;
        leadership = new Leadership(core.term(), false, Optional.empty());
        log.log(System.Logger.Level.ERROR, "raft " + id + " stopped: " + reason
                + "; it takes no further part in the cluster until it is restarted");
        failAll(new ConsensusException("raft " + id + " stopped: " + reason, cause));
        observer.leadershipChanged(before, leadership);
    }

    /**
     * Publishes how long DEFAULT reads may skip the loop: while this server leads, has applied
     * the first entry of its term (so every write any leader acknowledged is applied here: writes
     * are acknowledged only after they are applied), holds a lease in the core, and until the lease
     * measured on the clock runs out: the send time of the round a majority acknowledged plus the
     * lease length (an election timeout less the clock-drift margin). Clock time rather than ticks,
     * because ticks that run late would stretch a tick-counted lease.
     */
    private void publishLease() {
        long deadline = 0;
        if (running() && core.role() == Role.LEADER && core.leaseValid()
                && appliedIndex >= core.termStartIndex()) {
            long round = core.quorumAckedRound();
            Long sent = roundSentNanos.get(round);
            if (sent != null) {
                deadline = sent + settings.leaseNanos();
            }
            roundSentNanos.headMap(round).clear();
        } else if (!roundSentNanos.isEmpty() && core.role() != Role.LEADER) {
            roundSentNanos.clear();
        }
        leaseDeadlineNanos = deadline;
    }

    private void send(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        for (Message m : messages) {
            if (m instanceof Message.Heartbeat h && !roundSentNanos.containsKey(h.context())) {
                // The first send of a round; a later ack of the same round then starts the lease no later than it did.
                roundSentNanos.put(h.context(), clock.nanos());
            }
        }
        try {
            network.send(messages);
        } catch (RuntimeException e) {
            // Sending is fire-and-forget: a transport that fails synchronously (a plugin being
            // replaced live, a closed channel) has lost these messages, as a lossy network would,
            // and Raft resends what matters. The cycle must go on: it still applies the committed
            // entries and advances the core, and an exception escaping here skipped both (a CI run
            // of LiveUpdateIT left a follower's state machine without a committed write).
            log.log(System.Logger.Level.DEBUG, "raft " + id + ": " + messages.size() + " message(s) not sent: " + e);
        }
    }

    /** Applies one committed entry; false when the machine failed and the loop stopped (fail-stop). */
    private boolean apply(LogEntry e) {
        if (e.index() != appliedIndex + 1) {
            // The state machine takes every committed entry once, in order; a gap or a repeat means
            // this replica's state no longer matches the log, and it must not answer from it.
            stop("committed index " + e.index() + " reached the state machine after index " + appliedIndex
                    + " (entries must be applied once each, in order)", null);
            return false;
        }
        if (e.kind() == EntryKind.CONFIGURATION) {
            network.learn(ServerConfigurations.decode(e.data(), "log entry " + e.index()));
        }
        byte[] result;
        try {
            result = machine.apply(e);
            if (result == null && e.kind() == EntryKind.COMMAND) {
                throw new IllegalStateException("the state machine returned null");
            }
        } catch (RuntimeException ex) {
            // The entry is committed: every other server applies it. A server that cannot is no
            // longer a replica of the same state, so it stops before it could answer from a state
            // that differs (StateMachine.apply's contract).
            stop("the state machine failed to apply committed index " + e.index() + " (term " + e.term() + "): " + ex,
                    ex);
            return false;
        }
        appliedIndex = e.index();
        appliedTerm = e.term();
        PendingWrite w = pendingWrites.remove(e.index());
        if (w != null) {
            if (w.term() != e.term()) {
                w.future().completeExceptionally(new ConsensusException("the entry at index " + e.index()
                        + " was replaced by a new leader's; the command was not committed"));
            } else if (w.command()) {
                w.future().complete(new Applied(e.index(), result == null ? new byte[0] : result));
            } else {
                w.future().complete(null);
            }
        }
        return true;
    }

    private void serveReads() {
        for (int i = 0; i < confirmedGroups.size(); i++) {
            Map.Entry<Long, List<CompletableFuture<Long>>> g = confirmedGroups.get(i);
            if (appliedIndex >= g.getKey()) {
                confirmedGroups.remove(i--);
                long index = Math.max(g.getKey(), appliedIndex);
                for (CompletableFuture<Long> f : g.getValue()) {
                    f.complete(index);
                }
            }
        }
        for (int i = 0; i < confirmedReads.size(); i++) {
            long[] r = confirmedReads.get(i);
            if (appliedIndex >= r[1]) {
                confirmedReads.remove(i--);
                CompletableFuture<Long> f = pendingReads.remove(r[0]);
                if (f != null) {
                    f.complete(Math.max(r[1], appliedIndex));
                }
            }
        }
    }

    private void publish(Ready.SoftState soft) {
        Optional<ServerInfo> leaderInfo = leaderInfo(soft.leader());
        Leadership now = new Leadership(soft.term(), soft.role() == Role.LEADER, leaderInfo);
        configuration = core.configuration();
        if (core.leader() != null) {
            ticksSinceContact = core.ticksSinceLeaderContact();
        }
        // Numbers only: this runs every ready cycle, the text is made when stats() is asked for.
        stats = new StatsView(soft.role(), core.term(), core.commitIndex(), core.lastIndex(), core.lastTerm(),
                core.snapshotIndex(), soft.leader(), configuration, core.configurationIndex());
        Leadership before = leadership;
        if (!now.equals(before)) {
            leadership = now;
            if (now.isLeader() != before.isLeader() || !now.leader().equals(before.leader())) {
                // What an operator looks for when reading an election in the logs.
                log.log(System.Logger.Level.INFO, "raft " + id + ": " + (now.isLeader() ? "leader"
                        : soft.leader() == null ? "no leader" : "following " + soft.leader()) + " in term " + soft.term());
            }
            observer.leadershipChanged(before, now);
            if (before.isLeader() && !now.isLeader()) {
                for (CompletableFuture<Long> f : pendingReads.values()) {
                    f.completeExceptionally(notLeader());
                }
                pendingReads.clear();
                confirmedReads.clear();
            }
            for (int i = 0; i < pendingTransfers.size(); i++) {
                PendingTransfer t = pendingTransfers.get(i);
                if (t.target().equals(soft.leader())) {
                    pendingTransfers.remove(i--);
                    t.future().complete(null);
                }
            }
        }
    }

    private Optional<ServerInfo> leaderInfo(String leaderId) {
        if (leaderId == null) {
            return Optional.empty();
        }
        for (ServerInfo s : configuration) {
            if (s.id().equals(leaderId)) {
                return Optional.of(s);
            }
        }
        Endpoint e = network.endpointOf(leaderId);
        return e == null ? Optional.empty() : Optional.of(new ServerInfo(leaderId, e, true));
    }

    /** A refusal naming the leader this server knows of, if any. */
    public NotLeaderException notLeader() {
        return new NotLeaderException(leadership.isLeader() ? Optional.empty() : leadership.leader());
    }

    private void failPendingWrites(ConsensusException e) {
        for (PendingWrite w : pendingWrites.values()) {
            w.future().completeExceptionally(e);
        }
        pendingWrites.clear();
    }

    private void failAll(ConsensusException e) {
        failPendingWrites(e);
        // Inputs still waiting see the loop stopped and refuse what they carry.
        List<Runnable> waiting = new ArrayList<>(inbox);
        inbox.clear();
        waiting.forEach(Runnable::run);
        for (CompletableFuture<Void> f : pendingInstalls) {
            f.completeExceptionally(e);
        }
        pendingInstalls.clear();
        for (CompletableFuture<Long> f : pendingReads.values()) {
            f.completeExceptionally(e);
        }
        pendingReads.clear();
        confirmedReads.clear();
        for (FollowerReads batch : List.of(defaultReads, consistentReads)) {
            batch.waiting.forEach(f -> f.completeExceptionally(e));
            batch.waiting.clear();
            batch.inFlight = 0;
        }
        readGroups.values().forEach(g -> g.futures().forEach(f -> f.completeExceptionally(e)));
        readGroups.clear();
        confirmedGroups.forEach(g -> g.getValue().forEach(f -> f.completeExceptionally(e)));
        confirmedGroups.clear();
        for (PendingTransfer t : pendingTransfers) {
            t.future().completeExceptionally(e);
        }
        pendingTransfers.clear();
    }

    // ------------------------------------------------------------------ snapshots

    private void maybeSnapshot() {
        // While a snapshot from the leader is being received (or ours is being written), wait for it instead of racing it.
        if (appliedIndex - lastSnapshotIndex >= settings.snapshotThreshold() && !machine.snapshotBusy()) {
            takeSnapshot().whenComplete((i, t) -> {
                if (t != null) {
                    log.log(System.Logger.Level.ERROR, "snapshot failed: " + t.getMessage());
                }
            });
        }
    }

    /**
     * Captures the state now (the machine's capture is cheap: later applies must not change it),
     * lets the machine write it out while the loop goes on replicating and applying, then compacts
     * the log in the background; the future completes once the log is compacted. A failure is
     * retried after another threshold's worth of entries, not on every cycle.
     */
    public CompletableFuture<Long> takeSnapshot() {
        long index = appliedIndex;
        if (index == 0) {
            return CompletableFuture.failedFuture(new ConsensusException("nothing to snapshot: no entry has been applied"));
        }
        if (index <= core.snapshotIndex()) {
            return CompletableFuture.completedFuture(core.snapshotIndex());
        }
        long termAtIndex = core.termAt(index);
        long term = termAtIndex >= 0 ? termAtIndex : appliedTerm;
        CompletableFuture<Void> stored;
        try {
            stored = machine.save(index, term, core.configurationAt(index));
        } catch (RuntimeException e) {
            lastSnapshotIndex = index;
            return CompletableFuture.failedFuture(e);
        }
        if (stored == null) {
            return CompletableFuture.failedFuture(new ConsensusException(
                    "a snapshot is being received from the leader or written; try again later"));
        }
        lastSnapshotIndex = index;
        CompletableFuture<Long> done = new CompletableFuture<>();
        stored.whenComplete((v, failure) -> executor.execute(() -> {
            if (failure != null) {
                Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                done.completeExceptionally(t instanceof ConsensusException ce ? ce
                        : new ConsensusException("snapshot failed: " + t.getMessage(), t));
                return;
            }
            // A snapshot installed from the leader meanwhile supersedes this one: it compacted already.
            if (running() && index > core.snapshotIndex()) {
                long cut = core.compact(index, settings.trailingLogs());
                if (cut > 0) {
                    // In the background: the log has one writer at a time. Done once compacted
                    // (snapshotNow() promises a compacted log).
                    background(disk.compactInBackground(cut)).whenComplete((x, t) -> {
                        if (t != null) {
                            log.log(System.Logger.Level.ERROR, "log compaction failed: " + t.getMessage());
                        }
                        done.complete(index);
                    });
                    return;
                }
            }
            done.complete(index);
        }));
        return done;
    }
}
