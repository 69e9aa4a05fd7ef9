package io.tribune.raft.internal.driver;

import io.tribune.api.Cancellable;
import io.tribune.api.PluginContext;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.consensus.StateMachine;
import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.OutboundStream;
import io.tribune.api.transport.StreamHandler;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.raft.internal.core.ConfigurationCodec;
import io.tribune.raft.internal.core.Message;
import io.tribune.raft.internal.core.RaftCore;
import io.tribune.raft.internal.core.Ready;
import io.tribune.raft.internal.core.Rejected;
import io.tribune.raft.internal.core.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Raft driver: runs one {@link RaftCore} on a serial executor from the platform scheduler and
 * does its I/O through the storage and transport SPIs.
 *
 * <p>Every core call happens on {@link #executor}. A ready cycle persists the hard state and the
 * new entries (one {@link LogStore#append} for everything proposed since the previous cycle:
 * group commit), only then sends messages (persist before send), applies committed entries in
 * order, serves confirmed reads and calls {@code advance}. Messages to one peer travel in one
 * transport call per cycle; several cycles' calls may be in flight at once (pipelining). Snapshots
 * are streamed with {@link Transport#openStream} in chunks.
 */
final class RaftConsensus implements Consensus {
    static final String METHOD = "raft.msg";
    static final String SNAPSHOT_METHOD = "raft.snapshot";
    /** Client stream carrying message batches to one peer, in order (see {@link Link}). */
    static final String MESSAGE_STREAM_METHOD = "raft.messages";
    /** A message stream is replaced by a new one after this long (within the transport's deadline limits). */
    static final Duration STREAM_LIFETIME = Duration.ofMinutes(30);
    /** After a stream fails, batches to that peer go as unary calls for this long (peers without streams, restarts). */
    static final Duration STREAM_RETRY_AFTER = Duration.ofSeconds(5);
    /** Messages queued for one peer beyond this are dropped, as a lossy network would; Raft resends. */
    static final int MAX_QUEUED_MESSAGES = 8192;
    static final String TERM_KEY = "raft.term";
    static final String VOTE_KEY = "raft.vote";

    private final String id;
    private final StateMachine stateMachine;
    private final Storage storage;
    private final Transport transport;
    private final RaftSettings settings;
    private final PluginContext context;
    private final System.Logger log;
    private final Executor executor;
    private final CopyOnWriteArrayList<Consumer<Leadership>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Endpoint> addresses = new ConcurrentHashMap<>();

    // Touched only on the executor.
    private RaftCore core;
    private final Map<Long, PendingWrite> pendingWrites = new HashMap<>();
    private final Map<Long, CompletableFuture<Long>> pendingReads = new HashMap<>();
    private final List<long[]> confirmedReads = new ArrayList<>();
    private final List<PendingTransfer> pendingTransfers = new ArrayList<>();
    private final Map<String, Boolean> snapshotSending = new HashMap<>();
    private boolean processScheduled;
    private long nextReadId;
    private long lastSnapshotIndex;
    private long appliedTerm;
    private boolean failed;

    private volatile boolean started;
    private volatile boolean closed;
    private volatile long appliedIndex;
    // Lease fast path for DEFAULT reads (thesis §6.4.1), published by the executor after each cycle:
    // clock nanos before which this leader may serve at its applied index without entering the
    // executor; 0 when it may not. Send times of heartbeat rounds (context seq -> nanos) feed it.
    private volatile long leaseDeadlineNanos;
    private final TreeMap<Long, Long> roundSentNanos = new TreeMap<>();
    private final Map<Endpoint, Link> links = new HashMap<>();
    // Log writes off the executor (leader appends, prefix truncations), one at a time in order, and
    // snapshot write-outs: on threads of their own, because they block (fsync, tens of MiB) and the
    // platform's scheduler tasks must not (a few shared threads: a blocked pool would stall ticks).
    private final java.util.concurrent.Executor io;
    private final java.util.concurrent.Executor snapshotWrites;
    private final List<java.util.concurrent.ExecutorService> ownThreads = new ArrayList<>();
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private CompletableFuture<Void> ioTail = CompletableFuture.completedFuture(null);
    private final long leaseNanos;
    private volatile Leadership leadership = new Leadership(0, false, Optional.empty());
    private volatile List<ServerInfo> configuration = List.of();
    private volatile StatsView stats;

    /** What stats() reports, captured on the executor after each ready cycle. */
    private record StatsView(Role role, long term, long commitIndex, long lastLogIndex, long lastLogTerm,
                             long snapshotIndex, String leader, List<ServerInfo> configuration, long configurationIndex) {
    }
    private volatile int ticksSinceContact = Integer.MAX_VALUE;
    // The snapshot store takes one writer at a time: a local snapshot and a received one must not overlap.
    private final java.util.concurrent.Semaphore snapshotWriter = new java.util.concurrent.Semaphore(1);
    private Cancellable ticker;
    private final Object lifecycle = new Object();

    private record PendingWrite(long term, CompletableFuture<Object> future, boolean command) {
    }

    private record PendingTransfer(String target, CompletableFuture<Void> future) {
    }

    RaftConsensus(ConsensusSetup setup, RaftSettings settings, PluginContext context) {
        this.id = setup.serverId();
        this.stateMachine = setup.stateMachine();
        this.storage = setup.storage();
        this.transport = setup.transport().orElseThrow(() ->
                new IllegalArgumentException("the raft plugin needs a transport"));
        this.settings = settings;
        this.context = context;
        this.log = context.logger("raft");
        this.executor = context.scheduler().serial("raft-" + id);
        if (settings.ownWriteThreads()) {
            java.util.concurrent.ExecutorService ioThread =
                    java.util.concurrent.Executors.newSingleThreadExecutor(daemon("raft-io-" + id));
            java.util.concurrent.ExecutorService snapshotThread =
                    java.util.concurrent.Executors.newSingleThreadExecutor(daemon("raft-snapshot-" + id));
            ownThreads.add(ioThread);
            ownThreads.add(snapshotThread);
            this.io = ioThread;
            this.snapshotWrites = snapshotThread;
        } else {
            this.io = context.scheduler().serial("raft-io-" + id);
            this.snapshotWrites = context.scheduler().serial("raft-snapshot-" + id);
        }
        this.leaseNanos = settings.tickDuration().toNanos() * settings.options().leaseTicks();
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public boolean hasState() {
        return storage.stable().getLong(TERM_KEY, 0) > 0 || storage.log().lastIndex() > 0
                || storage.snapshots().latest().isPresent();
    }

    @Override
    public void bootstrap(List<ServerInfo> servers) {
        try {
            ConfigurationCodec.validate(servers);
        } catch (IllegalArgumentException e) {
            throw new ConsensusException("bad bootstrap configuration: " + e.getMessage());
        }
        if (servers.stream().noneMatch(s -> s.id().equals(id))) {
            throw new ConsensusException("bootstrap configuration " + servers + " does not include this server '" + id + "'");
        }
        synchronized (lifecycle) {
            if (started || closed) {
                throw new ConsensusException("bootstrap must come before start");
            }
            if (hasState()) {
                throw new ConsensusException("server '" + id + "' already has state; cannot bootstrap");
            }
            // The first configuration is entry 1 of term 1 on every server, so all logs agree on it.
            storage.log().append(List.of(new LogEntry(1, 1, EntryKind.CONFIGURATION, ConfigurationCodec.encode(servers))));
            storage.stable().putLong(TERM_KEY, 1);
            configuration = List.copyOf(servers);
        }
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new ConsensusException("raft is closed");
            }
            if (started) {
                throw new ConsensusException("raft already started");
            }
            core = recover();
            configuration = core.configuration();
            for (ServerInfo s : configuration) {
                addresses.put(s.id(), s.endpoint());
            }
            transport.register(METHOD, this::onCall);
            transport.registerStream(MESSAGE_STREAM_METHOD, this::onMessageStream);
            transport.registerStream(SNAPSHOT_METHOD, this::onSnapshotStream);
            started = true;
            log.log(System.Logger.Level.INFO, "raft " + id + " started: term " + core.term() + ", last index "
                    + core.lastIndex() + ", snapshot " + core.snapshotIndex() + ", configuration " + configuration);
            // From here on the core is touched only on the executor.
            executor.execute(() -> {
                publish(core.softState());
                process();
                for (ServerInfo peer : configuration) {
                    if (!peer.id().equals(id)) {
                        links.computeIfAbsent(peer.endpoint(), Link::new).warm();
                    }
                }
            });
            Duration tick = settings.tickDuration();
            ticker = context.scheduler().scheduleWithFixedDelay(tick, tick, () -> executor.execute(this::onTick));
        }
    }

    /** Restores the newest snapshot and rebuilds the core from the stable store and the log. */
    private RaftCore recover() {
        long term = storage.stable().getLong(TERM_KEY, 0);
        String vote = storage.stable().get(VOTE_KEY).map(b -> new String(b, StandardCharsets.UTF_8))
                .filter(s -> !s.isEmpty()).orElse(null);
        long snapIndex = 0;
        long snapTerm = 0;
        List<ServerInfo> snapConfig = List.of();
        Optional<SnapshotMeta> latest = storage.snapshots().latest();
        if (latest.isPresent()) {
            SnapshotMeta meta = latest.get();
            restoreSnapshot(meta);
            snapIndex = meta.index();
            snapTerm = meta.term();
            snapConfig = ConfigurationCodec.decode(meta.configuration(), "snapshot " + meta.id());
        }
        LogStore logStore = storage.log();
        long first = logStore.firstIndex();
        long last = logStore.lastIndex();
        if (last > 0 && snapIndex > 0) {
            Optional<LogEntry> atSnap = snapIndex >= first && snapIndex <= last ? logStore.get(snapIndex) : Optional.empty();
            boolean covers = atSnap.isPresent() && atSnap.get().term() == snapTerm;
            if (!covers && (last <= snapIndex || first <= snapIndex)) {
                // The log ends inside the snapshot or disagrees with it (a snapshot installed from a
                // leader just before a crash): the snapshot is committed state, the log is not needed.
                logStore.reset();
                first = 0;
                last = 0;
            }
        }
        if (last > 0 && first > snapIndex + 1) {
            throw new CorruptionException("raft log starts at " + first + " but the newest snapshot ends at "
                    + snapIndex + ": entries in between are missing");
        }
        long prevIndex;
        long prevTerm;
        long loadFrom;
        if (last == 0) {
            prevIndex = snapIndex;
            prevTerm = snapTerm;
            loadFrom = 1;
        } else if (first == snapIndex + 1) {
            prevIndex = snapIndex;
            prevTerm = snapTerm;
            loadFrom = first;
        } else if (first == 1) {
            prevIndex = 0;
            prevTerm = 0;
            loadFrom = 1;
        } else {
            // The entry before the first is compacted; the first entry itself serves as the anchor.
            LogEntry anchor = logStore.get(first).orElseThrow(() -> new CorruptionException("raft log entry missing"));
            prevIndex = first;
            prevTerm = anchor.term();
            loadFrom = first + 1;
        }
        List<LogEntry> entries = new ArrayList<>();
        long next = loadFrom;
        while (last > 0 && next <= last) {
            List<LogEntry> batch = logStore.range(next, last, 8L << 20);
            if (batch.isEmpty()) {
                throw new CorruptionException("raft log entry " + next + " is missing");
            }
            entries.addAll(batch);
            next = batch.get(batch.size() - 1).index() + 1;
        }
        lastSnapshotIndex = snapIndex;
        return new RaftCore(id, settings.options(), context.random(),
                new RaftCore.InitialState(term, vote, snapIndex, snapTerm, snapConfig, prevIndex, prevTerm, entries));
    }

    private void restoreSnapshot(SnapshotMeta meta) {
        SnapshotStore.Reader reader = storage.snapshots().open(meta.id()).orElseThrow(() ->
                new ConsensusException("snapshot " + meta.id() + " vanished while opening it"));
        try (reader; InputStream in = reader.stream()) {
            stateMachine.restore(meta.index(), meta.term(), in);
        } catch (IOException e) {
            throw new ConsensusException("restoring snapshot " + meta.id() + " at index " + meta.index() + " failed: "
                    + e.getMessage(), e);
        }
        appliedIndex = meta.index();
        appliedTerm = meta.term();
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
        }
        if (started && settings.transferOnLeave() && isLeader() && !settings.leaveTimeout().isZero()
                && configuration.stream().filter(ServerInfo::voter).count() > 1) {
            // Graceful leave: hand over leadership so that a planned restart costs no election timeout.
            try {
                transferLeadership(Optional.empty(), settings.leaveTimeout())
                        .get(settings.leaveTimeout().toMillis() + 100, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.log(System.Logger.Level.WARNING, "leadership transfer on leave did not complete: " + e.getMessage());
            }
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (ticker != null) {
            ticker.cancel();
        }
        executor.execute(() -> {
            failAll(new ConsensusException("raft is closed"));
            links.values().forEach(Link::close);
            links.clear();
        });
        // Writes in flight finish before the storage (closed after this plugin) goes away.
        for (java.util.concurrent.ExecutorService e : ownThreads) {
            e.shutdown();
            try {
                if (!e.awaitTermination(settings.leaveTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    log.log(System.Logger.Level.WARNING, "raft " + id + ": a log or snapshot write did not finish on close");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        Leadership before = leadership;
        leadership = new Leadership(before.term(), false, Optional.empty());
        notifyListeners(leadership);
    }

    // ------------------------------------------------------------------ the ready cycle

    private void onTick() {
        if (closed || failed) {
            return;
        }
        core.tick();
        // Last contact keeps growing while no leader is known (a candidate's election timer restarts,
        // so the core's count cannot be used then); stale reads report it and max_stale compares it.
        if (core.leader() != null) {
            ticksSinceContact = core.ticksSinceLeaderContact();
        } else if (ticksSinceContact != Integer.MAX_VALUE) {
            ticksSinceContact = ticksSinceContact + 1;
        }
        process();
    }

    private void scheduleProcess() {
        if (!processScheduled) {
            processScheduled = true;
            executor.execute(() -> {
                processScheduled = false;
                process();
            });
        }
    }

    /** Runs ready cycles until the core has nothing more; on the executor. */
    private void process() {
        if (closed || failed || core == null) {
            return;
        }
        if (!drainPersisted()) {
            return;
        }
        int cycles = 0;
        while (core.hasReady() && cycles++ < 64) {
            Ready r = core.ready();
            if (r.soft().role() != Role.LEADER || core.leaderTransferInProgress()) {
                // Before any TimeoutNow leaves: the target may win at once, so the lease ends now.
                leaseDeadlineNanos = 0;
            }
            // A leader may send its appends before its own write (thesis §10.2.1): it counts itself
            // toward a commit only once advance() reports the entries durable, so the followers'
            // fsyncs overlap its own. Anything that votes or acknowledges (a term or vote to persist,
            // a truncation, a follower's answers) still goes out only after the write.
            boolean sendFirst = r.soft().role() == Role.LEADER && r.hardState() == null && r.truncateFrom() == 0
                    && r.snapshot() == null;
            // A leader's appends are also written off the executor, so that the followers' answers
            // are handled (and entries committed) while its own fsync runs, instead of after it and
            // after the next batch's; advance() follows when the write is done, in order.
            boolean async = sendFirst && !r.entries().isEmpty();
            if (sendFirst) {
                send(r.messages());
            }
            if (async) {
                List<LogEntry> entries = r.entries();
                inFlight.add(new InFlight(r, onIo(() -> storage.log().append(entries))));
            } else {
                try {
                    // Storage writes stay in order, and nothing is acknowledged before what precedes it is durable.
                    awaitIo();
                    if (!drainPersisted()) {
                        return;
                    }
                    persist(r);
                } catch (RuntimeException e) {
                    storageFailed(e);
                    return;
                }
            }
            if (!sendFirst) {
                send(r.messages());
            }
            for (LogEntry e : r.committed()) {
                apply(e);
            }
            for (Ready.ReadState rs : r.reads()) {
                if (rs.ok()) {
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
        }
        if (core.hasReady()) {
            scheduleProcess();
        }
        publishLease();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A leader's log write running on the I/O executor, and the Ready to advance when it is done. */
    private record InFlight(Ready ready, CompletableFuture<Void> done) {
    }

    /**
     * Runs a log write on the I/O executor (one writer at a time, in submission order, as the
     * storage SPI requires) and wakes the executor when it is done.
     */
    private CompletableFuture<Void> onIo(Runnable write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    write.run();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
                executor.execute(this::process);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new ConsensusException("raft is closed"));
        }
        ioTail = done;
        return done;
    }

    /** Waits for every write handed to the I/O executor (rare: on a role change, or a truncation). */
    private void awaitIo() {
        try {
            ioTail.join();
        } catch (java.util.concurrent.CompletionException e) {
            // Reported by drainPersisted() (for appends) or already logged (for truncations).
        }
    }

    /**
     * Advances the core past the leader writes that are done, in the order they were handed out;
     * false (and the server stops) when one failed.
     */
    private boolean drainPersisted() {
        while (!inFlight.isEmpty() && inFlight.peek().done().isDone()) {
            InFlight w = inFlight.poll();
            if (w.done().isCompletedExceptionally()) {
                Throwable t = w.done().handle((v, x) -> x).join();
                storageFailed(t instanceof RuntimeException re ? re : new ConsensusException(t.getMessage(), t));
                return false;
            }
            core.advance(w.ready());
        }
        return true;
    }

    private void storageFailed(RuntimeException e) {
        if (failed || closed) {
            return;
        }
        // A server that cannot write cannot take part safely: stop, as after a crash.
        failed = true;
        log.log(System.Logger.Level.ERROR, "raft " + id + " stops: storage failed: " + e.getMessage());
        failAll(new ConsensusException("raft storage failed: " + e.getMessage(), e));
        leadership = new Leadership(core.term(), false, Optional.empty());
        notifyListeners(leadership);
    }

    /**
     * Publishes how long DEFAULT reads may skip the executor: while this server leads, has applied
     * the first entry of its term (so every write any leader acknowledged is applied here: writes
     * are acknowledged only after they are applied), holds a lease in the core, and until the lease
     * measured in real time runs out: the send time of the round a majority acknowledged plus the
     * lease length (an election timeout less the clock-drift margin). Real time rather than ticks,
     * because ticks that run late would stretch a tick-counted lease.
     */
    private void publishLease() {
        long deadline = 0;
        if (!closed && !failed && core != null && core.role() == Role.LEADER && core.leaseValid()
                && appliedIndex >= core.termStartIndex()) {
            long round = core.quorumAckedRound();
            Long sent = roundSentNanos.get(round);
            if (sent != null) {
                deadline = sent + leaseNanos;
            }
            roundSentNanos.headMap(round).clear();
        } else if (!roundSentNanos.isEmpty() && (core == null || core.role() != Role.LEADER)) {
            roundSentNanos.clear();
        }
        leaseDeadlineNanos = deadline;
    }

    private void persist(Ready r) {
        if (r.snapshot() != null) {
            SnapshotMeta meta = storage.snapshots().latest().orElseThrow(() ->
                    new ConsensusException("installed snapshot is missing from the store"));
            if (meta.index() != r.snapshot().index()) {
                throw new ConsensusException("stored snapshot is at " + meta.index() + ", expected "
                        + r.snapshot().index());
            }
            storage.log().reset();
            restoreSnapshot(meta);
            lastSnapshotIndex = meta.index();
            failPendingWrites(new ConsensusException("state replaced by a snapshot from the leader; outcome unknown"));
        }
        if (r.hardState() != null) {
            Map<String, byte[]> hs = new LinkedHashMap<>();
            hs.put(TERM_KEY, java.nio.ByteBuffer.allocate(8).putLong(r.hardState().term()).array());
            hs.put(VOTE_KEY, r.hardState().vote() == null ? new byte[0]
                    : r.hardState().vote().getBytes(StandardCharsets.UTF_8));
            storage.stable().put(hs);
        }
        if (r.truncateFrom() > 0) {
            storage.log().truncateSuffix(r.truncateFrom());
        }
        if (!r.entries().isEmpty()) {
            storage.log().append(r.entries());
        }
    }

    private void apply(LogEntry e) {
        byte[] result = null;
        if (e.kind() == EntryKind.COMMAND) {
            try {
                result = stateMachine.apply(e.index(), e.term(), e.data());
            } catch (RuntimeException ex) {
                log.log(System.Logger.Level.ERROR, "state machine failed at index " + e.index() + ": " + ex);
                result = null;
            }
        } else if (e.kind() == EntryKind.CONFIGURATION) {
            for (ServerInfo s : ConfigurationCodec.decode(e.data(), "log entry " + e.index())) {
                addresses.put(s.id(), s.endpoint());
            }
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
    }

    private void serveReads() {
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
            notifyListeners(now);
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
        Endpoint e = addresses.get(leaderId);
        return e == null ? Optional.empty() : Optional.of(new ServerInfo(leaderId, e, true));
    }

    private NotLeaderException notLeader() {
        return new NotLeaderException(leadership.isLeader() ? Optional.empty() : leadership.leader());
    }

    private void notifyListeners(Leadership l) {
        for (Consumer<Leadership> c : listeners) {
            try {
                c.accept(l);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "leadership listener failed: " + e);
            }
        }
    }

    private void failPendingWrites(ConsensusException e) {
        for (PendingWrite w : pendingWrites.values()) {
            w.future().completeExceptionally(e);
        }
        pendingWrites.clear();
    }

    private void failAll(ConsensusException e) {
        failPendingWrites(e);
        for (CompletableFuture<Long> f : pendingReads.values()) {
            f.completeExceptionally(e);
        }
        pendingReads.clear();
        confirmedReads.clear();
        for (PendingTransfer t : pendingTransfers) {
            t.future().completeExceptionally(e);
        }
        pendingTransfers.clear();
    }

    // ------------------------------------------------------------------ snapshots

    private void maybeSnapshot() {
        // While a snapshot from the leader is being received (or ours is being written), wait for it instead of racing it.
        if (appliedIndex - lastSnapshotIndex >= settings.snapshotThreshold() && snapshotWriter.availablePermits() > 0) {
            takeSnapshot().whenComplete((i, t) -> {
                if (t != null) {
                    log.log(System.Logger.Level.ERROR, "snapshot failed: " + t.getMessage());
                }
            });
        }
    }

    /**
     * Captures the state on the executor (the state machine's capture is cheap: it must not be
     * changed by later applies), writes it out on the snapshot writer while the executor goes on
     * replicating and applying, then compacts the log on the I/O executor; the future completes
     * once the log is compacted. Writing tens of megabytes on the executor would stall every read
     * and write for as long. A failure is retried after another threshold's worth of entries, not
     * on every cycle.
     */
    private CompletableFuture<Long> takeSnapshot() {
        long index = appliedIndex;
        if (index == 0) {
            return CompletableFuture.failedFuture(new ConsensusException("nothing to snapshot: no entry has been applied"));
        }
        if (index <= core.snapshotIndex()) {
            return CompletableFuture.completedFuture(core.snapshotIndex());
        }
        long termAtIndex = core.termAt(index);
        long term = termAtIndex >= 0 ? termAtIndex : appliedTerm;
        if (!snapshotWriter.tryAcquire()) {
            return CompletableFuture.failedFuture(new ConsensusException(
                    "a snapshot is being received from the leader or written; try again later"));
        }
        StateMachine.StateSnapshot snap;
        byte[] config;
        try {
            config = ConfigurationCodec.encode(core.configurationAt(index));
            snap = stateMachine.snapshot();
        } catch (RuntimeException e) {
            snapshotWriter.release();
            lastSnapshotIndex = index;
            return CompletableFuture.failedFuture(e);
        }
        lastSnapshotIndex = index;
        CompletableFuture<Long> done = new CompletableFuture<>();
        Runnable writeOut = () -> {
            Exception failure = null;
            try (SnapshotStore.Writer writer = storage.snapshots().create(index, term, config)) {
                snap.writeTo(writer.stream());
                writer.commit();
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                snap.release();
                snapshotWriter.release();
            }
            Exception failed = failure;
            executor.execute(() -> {
                if (failed != null) {
                    done.completeExceptionally(failed instanceof ConsensusException ce ? ce
                            : new ConsensusException("snapshot failed: " + failed.getMessage(), failed));
                    return;
                }
                // A snapshot installed from the leader meanwhile supersedes this one: it compacted already.
                if (!closed && !this.failed && index > core.snapshotIndex()) {
                    long cut = core.compact(index, settings.trailingLogs());
                    if (cut > 0) {
                        // On the I/O executor: the log has one writer at a time. Done once compacted
                        // (snapshotNow() promises a compacted log).
                        onIo(() -> storage.log().truncatePrefix(cut)).whenComplete((v, t) -> {
                            if (t != null) {
                                log.log(System.Logger.Level.ERROR, "log compaction failed: " + t.getMessage());
                            }
                            done.complete(index);
                        });
                        return;
                    }
                }
                done.complete(index);
            });
        };
        try {
            snapshotWrites.execute(writeOut);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            snap.release();
            snapshotWriter.release();
            done.completeExceptionally(new ConsensusException("raft is closed"));
        }
        return done;
    }

    /** Streams the newest stored snapshot to {@code m.to()}: a header chunk, then data chunks. */
    private void sendSnapshot(Message.InstallSnapshot m) {
        String peer = m.to();
        if (snapshotSending.containsKey(peer)) {
            return;
        }
        Endpoint target = addresses.get(peer);
        Optional<SnapshotMeta> latest = storage.snapshots().latest();
        if (target == null || latest.isEmpty() || latest.get().index() < m.index()) {
            core.snapshotTransferred(peer, false);
            return;
        }
        SnapshotMeta meta = latest.get();
        Optional<SnapshotStore.Reader> opened = storage.snapshots().open(meta.id());
        if (opened.isEmpty()) {
            core.snapshotTransferred(peer, false);
            return;
        }
        snapshotSending.put(peer, true);
        SnapshotStore.Reader reader = opened.get();
        Message.InstallSnapshot header = new Message.InstallSnapshot(m.from(), peer, m.term(), meta.index(), meta.term(),
                ConfigurationCodec.decode(meta.configuration(), "snapshot " + meta.id()));
        OutboundStream stream = transport.openStream(target, SNAPSHOT_METHOD, settings.rpcTimeout().multipliedBy(30));
        InputStream in = reader.stream();
        CompletableFuture<Void> first = stream.send(WireCodec.encode(transport.localEndpoint(), List.of(header)));
        pump(stream, in, first).whenComplete((ok, err) -> {
            try {
                reader.close();
            } catch (IOException ignored) {
                // Nothing to do: the transfer outcome is what matters.
            }
            executor.execute(() -> {
                snapshotSending.remove(peer);
                if (err != null && !closed && !failed) {
                    log.log(System.Logger.Level.WARNING, "snapshot transfer to " + peer + " failed: " + err);
                    core.snapshotTransferred(peer, false);
                    process();
                }
            });
        });
    }

    private CompletableFuture<Void> pump(OutboundStream stream, InputStream in, CompletableFuture<Void> previous) {
        return previous.thenCompose(v -> {
            byte[] chunk;
            try {
                chunk = in.readNBytes(settings.snapshotChunkBytes());
            } catch (IOException e) {
                stream.cancel("reading the snapshot failed: " + e.getMessage());
                return CompletableFuture.failedFuture(e);
            }
            if (chunk.length == 0) {
                return stream.finish().thenApply(b -> (Void) null);
            }
            return pump(stream, in, stream.send(chunk));
        });
    }

    /** Receives a snapshot stream into the snapshot store, then hands its metadata to the core. */
    private StreamHandler.Receiver onSnapshotStream(CallContext ctx) {
        return new StreamHandler.Receiver() {
            private SnapshotStore.Writer writer;
            private Message.InstallSnapshot header;
            private OutputStream out;
            private boolean owner;

            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                try {
                    if (header == null) {
                        if (closed || failed) {
                            throw new IllegalStateException("raft " + id + " is not running");
                        }
                        WireCodec.Envelope env = WireCodec.decode(chunk);
                        if (env.messages().size() != 1 || !(env.messages().get(0) instanceof Message.InstallSnapshot s)
                                || !s.to().equals(id)) {
                            throw new IllegalArgumentException("a snapshot stream must start with one InstallSnapshot for " + id);
                        }
                        if (!snapshotWriter.tryAcquire()) {
                            throw new IllegalStateException("another snapshot is being written on " + id);
                        }
                        owner = true;
                        header = s;
                        addresses.put(s.from(), env.sender());
                        writer = storage.snapshots().create(s.index(), s.snapshotTerm(),
                                ConfigurationCodec.encode(s.configuration()));
                        out = writer.stream();
                    } else {
                        out.write(chunk);
                    }
                    return CompletableFuture.completedFuture(null);
                } catch (IOException | RuntimeException e) {
                    release();
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                if (header == null || writer == null) {
                    release();
                    return CompletableFuture.failedFuture(new IllegalArgumentException("empty snapshot stream"));
                }
                try {
                    writer.commit();
                } catch (IOException | RuntimeException e) {
                    release();
                    return CompletableFuture.failedFuture(e);
                }
                Message.InstallSnapshot h = header;
                CompletableFuture<byte[]> done = new CompletableFuture<>();
                executor.execute(() -> {
                    try {
                        if (!closed && !failed) {
                            core.step(h);
                            process();
                        }
                        done.complete(new byte[0]);
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                    } finally {
                        release();
                    }
                });
                return done;
            }

            @Override
            public void onError(Throwable cause) {
                release();
            }

            private synchronized void release() {
                if (writer != null) {
                    writer.abort();
                    writer = null;
                }
                if (owner) {
                    owner = false;
                    snapshotWriter.release();
                }
            }
        };
    }

    // ------------------------------------------------------------------ network

    private CompletableFuture<byte[]> onCall(CallContext ctx, byte[] request) {
        if (!started || closed || failed) {
            return CompletableFuture.failedFuture(new IllegalStateException("raft " + id + " is not running"));
        }
        WireCodec.Envelope env;
        try {
            env = WireCodec.decode(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        for (Message m : env.messages()) {
            if (!m.to().equals(id)) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("message for '" + m.to()
                        + "' sent to '" + id + "'"));
            }
            if (m instanceof Message.InstallSnapshot) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(
                        "InstallSnapshot must arrive on " + SNAPSHOT_METHOD));
            }
        }
        if (!env.messages().isEmpty()) {
            addresses.put(env.messages().get(0).from(), env.sender());
        }
        executor.execute(() -> {
            if (closed || failed) {
                return;
            }
            for (Message m : env.messages()) {
                try {
                    core.step(m);
                } catch (RuntimeException e) {
                    log.log(System.Logger.Level.WARNING, "dropped message " + m.getClass().getSimpleName() + " from "
                            + m.from() + ": " + e.getMessage());
                }
            }
            process();
        });
        return CompletableFuture.completedFuture(new byte[0]);
    }

    private void send(List<Message> messages) {
        Map<String, List<Message>> byPeer = new LinkedHashMap<>();
        for (Message m : messages) {
            if (m instanceof Message.Heartbeat h && !roundSentNanos.containsKey(h.context())) {
                // The first send of a round; a later ack of the same round then starts the lease no later than it did.
                roundSentNanos.put(h.context(), context.clock().nanos());
            }
            if (m instanceof Message.InstallSnapshot s) {
                sendSnapshot(s);
            } else {
                byPeer.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(m);
            }
        }
        for (Map.Entry<String, List<Message>> e : byPeer.entrySet()) {
            Endpoint target = addresses.get(e.getKey());
            if (target == null) {
                continue;
            }
            Link link = links.computeIfAbsent(target, Link::new);
            link.queue.addAll(e.getValue());
            while (link.queue.size() > MAX_QUEUED_MESSAGES) {
                link.queue.poll();
            }
            link.pump();
        }
    }

    /** Up to one batch of {@code queue}'s head: within the transport's message size and the codec's count. */
    private List<Message> nextBatch(ArrayDeque<Message> queue) {
        int budget = Math.max(1024, transport.maxMessageBytes() - 1024);
        List<Message> call = new ArrayList<>();
        int size = 0;
        while (!queue.isEmpty()) {
            int n = WireCodec.sizeOf(queue.peek());
            if (!call.isEmpty() && (size + n > budget || call.size() >= WireCodec.MAX_MESSAGES)) {
                break;
            }
            call.add(queue.poll());
            size += n;
        }
        return call;
    }

    /**
     * The messages to one peer. They travel as chunks of one long-lived client stream, which keeps
     * them in order and costs no per-message call setup (a unary call per batch cost a request and
     * a response with headers each, and could reorder); one chunk is in flight at a time and the
     * messages queued meanwhile go together in the next, so a busy link batches by itself.
     *
     * <p>Failures: a stream that never carried a chunk and fails as UNAVAILABLE or NO_HANDLER (the
     * peer was not listening yet, or its Raft had not started, as when a new cluster starts) is
     * replaced and its chunk sent again once. Otherwise the link sends unary calls for
     * {@link #STREAM_RETRY_AFTER} (which also serves peers without the stream method: their
     * NO_HANDLER chunk goes again as unary calls); other failed chunks are dropped, as a lossy
     * network would, and Raft resends what matters.
     * Executor-confined.
     */
    private final class Link {
        final Endpoint target;
        final ArrayDeque<Message> queue = new ArrayDeque<>();
        OutboundStream stream;
        boolean established;
        long openedNanos;
        long unaryUntilNanos;
        boolean sending;

        Link(Endpoint target) {
            this.target = target;
        }

        /**
         * Opens the stream ahead of the first message: a first connection costs its handshake and,
         * in a new process, cold code paths on both sides (measured ~0.4 s per direction while
         * three servers start on two cores); done while the first election timer runs, the first
         * votes travel on a ready connection.
         */
        void warm() {
            if (stream == null && !closed) {
                open(context.clock().nanos());
            }
        }

        private OutboundStream open(long now) {
            try {
                stream = transport.openStream(target, MESSAGE_STREAM_METHOD, STREAM_LIFETIME.plusMinutes(1));
            } catch (RuntimeException e) {
                stream = null;
                unaryUntilNanos = now + STREAM_RETRY_AFTER.toNanos();
                return null;
            }
            established = false;
            openedNanos = now;
            return stream;
        }

        void pump() {
            if (sending || queue.isEmpty() || closed) {
                return;
            }
            long now = context.clock().nanos();
            if (now - unaryUntilNanos < 0) {
                while (!queue.isEmpty()) {
                    call(target, nextBatch(queue));
                }
                return;
            }
            if (stream != null && now - openedNanos > STREAM_LIFETIME.toNanos()) {
                stream.finish();
                stream = null;
            }
            OutboundStream s = stream != null ? stream : open(now);
            if (s == null) {
                pump();
                return;
            }
            List<Message> batch = nextBatch(queue);
            send(s, batch, true);
        }

        private void send(OutboundStream s, List<Message> batch, boolean mayResend) {
            byte[] payload = WireCodec.encode(transport.localEndpoint(), batch);
            sending = true;
            CompletableFuture<Void> f;
            try {
                f = s.send(payload);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            f.whenComplete((v, t) -> executor.execute(() -> {
                sending = false;
                if (t == null) {
                    if (stream == s) {
                        established = true;
                    }
                } else if (!closed) {
                    TransportException.Code code = unwrap(t) instanceof TransportException te ? te.code() : null;
                    boolean wasEstablished = established && stream == s;
                    s.cancel("raft message stream failed: " + t.getMessage());
                    if (stream == s) {
                        stream = null;
                    }
                    boolean unanswered = code == TransportException.Code.UNAVAILABLE
                            || code == TransportException.Code.NO_HANDLER;
                    OutboundStream again = !wasEstablished && unanswered && mayResend
                            ? open(context.clock().nanos()) : null;
                    if (again != null) {
                        // Not listening yet, or its Raft not started yet: one more try on a new stream.
                        send(again, batch, false);
                        return;
                    }
                    unaryUntilNanos = context.clock().nanos() + STREAM_RETRY_AFTER.toNanos();
                    if (code == TransportException.Code.NO_HANDLER) {
                        // Nothing was delivered: the batch goes again as unary calls (a peer without streams).
                        queue.addAll(batch);
                    }
                }
                pump();
            }));
        }

        void close() {
            if (stream != null) {
                stream.cancel("raft is closed");
                stream = null;
            }
            queue.clear();
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private StreamHandler.Receiver onMessageStream(CallContext ctx) {
        return new StreamHandler.Receiver() {
            @Override
            public CompletableFuture<Void> onChunk(byte[] chunk) {
                // Same checks and hand-off as a unary batch; a bad batch ends the stream.
                return onCall(ctx, chunk).thenApply(r -> null);
            }

            @Override
            public CompletableFuture<byte[]> onComplete() {
                return CompletableFuture.completedFuture(new byte[0]);
            }

            @Override
            public void onError(Throwable cause) {
                // The sender drops the stream and resends through Raft; nothing to release here.
            }
        };
    }

    private void call(Endpoint target, List<Message> messages) {
        byte[] payload = WireCodec.encode(transport.localEndpoint(), messages);
        // Responses are empty: Raft's own answers travel as messages, and lost ones are retried by
        // the protocol (heartbeats, probes), so failures need no handling here.
        transport.call(target, METHOD, payload, settings.rpcTimeout());
    }

    // ------------------------------------------------------------------ API

    private ConsensusException refusal() {
        if (closed) {
            return new ConsensusException("raft is closed");
        }
        if (!started) {
            return new ConsensusException("raft is not started");
        }
        if (failed) {
            return new ConsensusException("raft stopped after a storage failure");
        }
        return null;
    }

    private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout, String what) {
        Cancellable timer = context.scheduler().schedule(timeout, () -> f.completeExceptionally(
                new ConsensusException(what + " timed out after " + timeout)));
        f.whenComplete((r, t) -> timer.cancel());
        return f;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Applied> apply(byte[] command, Duration timeout) {
        if (command == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("command is null"));
        }
        if (command.length > settings.maxCommandBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("command of " + command.length
                    + " bytes exceeds raft.max-command-bytes = " + settings.maxCommandBytes()));
        }
        if (timeout == null || timeout.isNegative()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("timeout must be >= 0"));
        }
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        byte[] copy = command.clone();
        CompletableFuture<Object> f = new CompletableFuture<>();
        withTimeout(f, timeout, "apply (the command may still commit)");
        executor.execute(() -> {
            if (f.isDone()) {
                return;
            }
            ConsensusException r = refusal();
            if (r != null) {
                f.completeExceptionally(r);
                return;
            }
            try {
                long index = core.propose(EntryKind.COMMAND, copy);
                pendingWrites.put(index, new PendingWrite(core.term(), f, true));
                scheduleProcess();
            } catch (Rejected e) {
                f.completeExceptionally(e.reason() == Rejected.Reason.NOT_LEADER ? notLeader()
                        : new ConsensusException(e.getMessage()));
            }
        });
        return f.thenApply(o -> (Applied) o);
    }

    @Override
    public CompletableFuture<Long> readBarrier(ReadConsistency mode, Duration timeout) {
        if (mode == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("read consistency mode is null"));
        }
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        if (mode == ReadConsistency.STALE) {
            return CompletableFuture.completedFuture(appliedIndex);
        }
        if (mode == ReadConsistency.DEFAULT) {
            long deadline = leaseDeadlineNanos;
            if (deadline != 0 && context.clock().nanos() - deadline < 0) {
                // Within the lease: no other leader exists, and everything acknowledged is applied.
                return CompletableFuture.completedFuture(appliedIndex);
            }
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        withTimeout(f, timeout, "read barrier");
        executor.execute(() -> {
            try {
                long rid = ++nextReadId;
                pendingReads.put(rid, f);
                try {
                    core.read(rid, mode == ReadConsistency.DEFAULT);
                } catch (Rejected e) {
                    pendingReads.remove(rid);
                    f.completeExceptionally(notLeader());
                    return;
                }
                // Coalesced: reads queued behind this one join the same ready cycle.
                scheduleProcess();
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        f.whenComplete((r, t) -> {
            if (t != null) {
                executor.execute(() -> pendingReads.values().remove(f));
            }
        });
        return f;
    }

    @Override
    public boolean isLeader() {
        return leadership.isLeader() && !closed;
    }

    @Override
    public Leadership leadership() {
        return leadership;
    }

    @Override
    public Subscription onLeadershipChange(Consumer<Leadership> listener) {
        listeners.add(listener);
        listener.accept(leadership);
        return () -> listeners.remove(listener);
    }

    @Override
    public Duration lastContact() {
        if (isLeader()) {
            return Duration.ZERO;
        }
        int ticks = ticksSinceContact;
        return ticks == Integer.MAX_VALUE ? Duration.ofMillis(Long.MAX_VALUE) : settings.tickDuration().multipliedBy(ticks);
    }

    @Override
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public List<ServerInfo> configuration() {
        return configuration;
    }

    @Override
    public CompletableFuture<Void> addVoter(ServerInfo server, Duration timeout) {
        return changeConfiguration(timeout, current -> {
            List<ServerInfo> next = new ArrayList<>();
            boolean found = false;
            for (ServerInfo s : current) {
                if (s.id().equals(server.id())) {
                    next.add(new ServerInfo(s.id(), server.endpoint(), true));
                    found = true;
                } else {
                    next.add(s);
                }
            }
            if (!found) {
                next.add(new ServerInfo(server.id(), server.endpoint(), true));
            }
            return next;
        }, server);
    }

    @Override
    public CompletableFuture<Void> addNonVoter(ServerInfo server, Duration timeout) {
        return changeConfiguration(timeout, current -> {
            List<ServerInfo> next = new ArrayList<>();
            boolean found = false;
            for (ServerInfo s : current) {
                if (s.id().equals(server.id())) {
                    // Adding an existing server as non-voter keeps its vote (Consul's AddNonvoter).
                    next.add(new ServerInfo(s.id(), server.endpoint(), s.voter()));
                    found = true;
                } else {
                    next.add(s);
                }
            }
            if (!found) {
                next.add(new ServerInfo(server.id(), server.endpoint(), false));
            }
            return next;
        }, server);
    }

    @Override
    public CompletableFuture<Void> removeServer(String serverId, Duration timeout) {
        if (serverId == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("server id is null"));
        }
        return changeConfiguration(timeout, current -> {
            List<ServerInfo> next = new ArrayList<>(current);
            next.removeIf(s -> s.id().equals(serverId));
            return next;
        }, null);
    }

    private CompletableFuture<Void> changeConfiguration(Duration timeout,
                                                        java.util.function.UnaryOperator<List<ServerInfo>> change,
                                                        ServerInfo added) {
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        if (timeout == null || timeout.isNegative()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("timeout must be >= 0"));
        }
        CompletableFuture<Object> f = new CompletableFuture<>();
        withTimeout(f, timeout, "configuration change");
        executor.execute(() -> {
            try {
                if (added != null) {
                    addresses.put(added.id(), added.endpoint());
                }
                long index = core.proposeConfiguration(change.apply(core.configuration()));
                if (index == 0) {
                    f.complete(null);
                    return;
                }
                configuration = core.configuration();
                pendingWrites.put(index, new PendingWrite(core.term(), f, false));
                scheduleProcess();
            } catch (Rejected e) {
                f.completeExceptionally(e.reason() == Rejected.Reason.NOT_LEADER ? notLeader()
                        : new ConsensusException(e.getMessage()));
            } catch (IllegalArgumentException e) {
                f.completeExceptionally(new ConsensusException("invalid configuration change: " + e.getMessage()));
            }
        });
        return f.thenApply(o -> null);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(Optional<String> target, Duration timeout) {
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        withTimeout(f, timeout, "leadership transfer");
        executor.execute(() -> {
            try {
                String chosen = core.transferLeadership(target == null ? null : target.orElse(null));
                pendingTransfers.add(new PendingTransfer(chosen, f));
                process();
            } catch (Rejected e) {
                f.completeExceptionally(e.reason() == Rejected.Reason.NOT_LEADER ? notLeader()
                        : new ConsensusException(e.getMessage()));
            }
        });
        f.whenComplete((r, t) -> executor.execute(() -> pendingTransfers.removeIf(p -> p.future() == f)));
        return f;
    }

    @Override
    public CompletableFuture<Long> snapshotNow() {
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        executor.execute(() -> takeSnapshot().whenComplete((i, t) -> {
            if (t == null) {
                f.complete(i);
            } else {
                f.completeExceptionally(t instanceof ConsensusException ce ? ce
                        : new ConsensusException("snapshot failed: " + t.getMessage(), t));
            }
        }));
        return f;
    }

    @Override
    public Map<String, String> stats() {
        StatsView v = stats;
        Map<String, String> s = new LinkedHashMap<>();
        if (v == null) {
            s.put("applied_index", Long.toString(appliedIndex));
            return s;
        }
        s.put("state", v.role() == Role.LEADER ? "Leader" : v.role() == Role.FOLLOWER ? "Follower" : "Candidate");
        s.put("term", Long.toString(v.term()));
        s.put("commit_index", Long.toString(v.commitIndex()));
        s.put("applied_index", Long.toString(appliedIndex));
        s.put("last_log_index", Long.toString(v.lastLogIndex()));
        s.put("last_log_term", Long.toString(v.lastLogTerm()));
        s.put("last_snapshot_index", Long.toString(v.snapshotIndex()));
        s.put("leader", v.leader() == null ? "" : v.leader());
        s.put("num_peers", Long.toString(v.configuration().stream().filter(x -> x.voter() && !x.id().equals(id)).count()));
        s.put("latest_configuration_index", Long.toString(v.configurationIndex()));
        return s;
    }
}
