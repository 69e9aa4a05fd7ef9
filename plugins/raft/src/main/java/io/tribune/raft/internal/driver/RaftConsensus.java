package io.tribune.raft.internal.driver;

import io.tribune.api.Cancellable;
import io.tribune.api.PluginContext;
import io.tribune.api.Subscription;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ConsensusSetup;
import io.tribune.api.consensus.Leadership;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.consensus.StateMachine;
import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.raft.internal.core.Message;
import io.tribune.raft.internal.core.RaftCore;
import io.tribune.raft.internal.core.Rejected;
import io.tribune.raft.internal.core.Role;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The Raft plugin's {@link Consensus}: the SPI face and the lifecycle (bootstrap, recovery,
 * start, close) of one server. The work is done by parts it wires together at start:
 * <ul>
 *   <li>a {@link ReadyLoop} that runs the {@link RaftCore} on a serial executor from the platform
 *       scheduler (every core call happens there);</li>
 *   <li>{@link StorageDisk} and {@link HostMachine}: the loop's disk and state machine over the
 *       storage SPI and the host's state machine;</li>
 *   <li>{@link PeerLinks}: messages to and from peers over the transport SPI;</li>
 *   <li>{@link SnapshotShipping}: InstallSnapshot streamed in chunks.</li>
 * </ul>
 * Log and snapshot writes that leave the loop's thread run on two threads of the plugin's own
 * ({@code raft.storage.own-threads}), because they block (fsync, tens of MiB) and the platform's
 * scheduler tasks must not.
 */
final class RaftConsensus implements Consensus {
    static final String TERM_KEY = StorageDisk.TERM_KEY;
    static final String VOTE_KEY = StorageDisk.VOTE_KEY;

    private final String id;
    private final StateMachine stateMachine;
    private final Storage storage;
    private final Transport transport;
    private final RaftSettings settings;
    private final PluginContext context;
    private final System.Logger log;
    private final Executor executor;
    private final CopyOnWriteArrayList<Consumer<Leadership>> listeners = new CopyOnWriteArrayList<>();
    private final Executor io;
    private final Executor snapshotWrites;
    private final List<ExecutorService> ownThreads = new ArrayList<>();
    // The snapshot store takes one writer at a time: a local snapshot and a received one must not overlap.
    private final Semaphore snapshotWriter = new Semaphore(1);
    private final HostMachine machine;
    private final PeerLinks links;
    private final SnapshotShipping shipping;
    // Telemetry through the Metrics SPI (RaftMetrics lists the names).
    private final RaftMetrics metrics;
    private final Object lifecycle = new Object();

    private volatile boolean started;
    private volatile boolean closed;
    private volatile ReadyLoop loop;
    private volatile List<ServerInfo> bootstrapped = List.of();
    private Cancellable ticker;
    // Pending operations with a timeout of at least SWEPT_TIMEOUT: checked on every tick instead of
    // one scheduler timer each (an insert and a cancel on the platform's shared delay queue per
    // write); see withTimeout.
    private final java.util.concurrent.ConcurrentLinkedQueue<Deadline> deadlines =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    // The shortest timeout the sweep takes (at least SWEPT_TIMEOUT and ten ticks, so it fires at most
    // a tenth late); Long.MAX_VALUE until the tick, and with it the sweep, runs.
    private volatile long sweptFromNanos = Long.MAX_VALUE;

    /** Timeouts this long or longer (and of ten ticks or more) wait for the tick's sweep; shorter ones get a timer. */
    static final Duration SWEPT_TIMEOUT = Duration.ofSeconds(1);

    /** A pending operation's deadline on the context clock. */
    private record Deadline(CompletableFuture<?> future, long atNanos, Duration timeout, String what) {
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
        this.metrics = new RaftMetrics(context.metrics(), context.clock());
        this.executor = context.scheduler().serial("raft-" + id);
        if (settings.ownWriteThreads()) {
            ExecutorService ioThread = Executors.newSingleThreadExecutor(daemon("raft-io-" + id));
            ExecutorService snapshotThread = Executors.newSingleThreadExecutor(daemon("raft-snapshot-" + id));
            ownThreads.add(ioThread);
            ownThreads.add(snapshotThread);
            this.io = ioThread;
            this.snapshotWrites = snapshotThread;
        } else {
            this.io = context.scheduler().serial("raft-io-" + id);
            this.snapshotWrites = context.scheduler().serial("raft-snapshot-" + id);
        }
        this.machine = new HostMachine(stateMachine, storage.snapshots(), snapshotWrites, snapshotWriter);
        this.links = new PeerLinks(id, transport, settings.rpcTimeout(), context.clock(), executor, this::running,
                messages -> executor.execute(() -> loop.step(messages)));
        this.shipping = new SnapshotShipping(id, transport, storage.snapshots(), links, executor, snapshotWriter,
                settings.snapshotChunkBytes(), settings.rpcTimeout().multipliedBy(30), this::running, log,
                header -> loop.installSnapshot(header), (peer, ok) -> loop.snapshotTransferred(peer, ok));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The loop's network: InstallSnapshot is shipped, everything else goes over the peer links. */
    private final class Wire implements ReadyLoop.Network {
        @Override
        public void send(List<Message> messages) {
            List<Message> rest = new ArrayList<>(messages.size());
            for (Message m : messages) {
                if (m instanceof Message.InstallSnapshot s) {
                    shipping.send(s);
                } else {
                    rest.add(m);
                }
            }
            links.send(rest);
        }

        @Override
        public void learn(List<ServerInfo> servers) {
            links.learn(servers);
        }

        @Override
        public Endpoint endpointOf(String serverId) {
            return links.endpointOf(serverId);
        }
    }

    private boolean running() {
        ReadyLoop l = loop;
        return started && !closed && l != null && l.running();
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
            ServerConfigurations.validate(servers);
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
            storage.log().append(List.of(new LogEntry(1, 1, EntryKind.CONFIGURATION, ServerConfigurations.encode(servers))));
            storage.stable().putLong(TERM_KEY, 1);
            bootstrapped = List.copyOf(servers);
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
            long[] applied = new long[2];
            RaftCore core = recover(applied);
            ReadyLoop l = new ReadyLoop(id, core, applied[0], applied[1], new StorageDisk(storage, io), machine,
                    new Wire(), context.clock(), executor,
                    new ReadyLoop.Settings(settings.tickDuration().toNanos() * settings.options().leaseTicks(),
                            settings.snapshotThreshold(), settings.trailingLogs(), settings.followerReads()),
                    log, (before, now) -> {
                        metrics.leadership(before.isLeader(), now.isLeader());
                        notifyListeners(now);
                    });
            List<ServerInfo> configuration = core.configuration();
            links.learn(configuration);
            loop = l;
            links.register();
            shipping.register();
            started = true;
            log.log(System.Logger.Level.INFO, "raft " + id + " started: term " + core.term() + ", last index "
                    + core.lastIndex() + ", snapshot " + core.snapshotIndex() + ", configuration " + configuration);
            // From here on the core is touched only on the executor.
            executor.execute(() -> {
                l.begin();
                links.warm(configuration);
            });
            Duration tick = settings.tickDuration();
            ticker = context.scheduler().scheduleWithFixedDelay(tick, tick, () -> {
                // On the scheduler's thread, not the loop's: a loop held up by a slow write still
                // lets its callers time out.
                sweepDeadlines();
                executor.execute(() -> {
                    l.tick();
                    metrics.tick(l.stats(), lastContact());
                });
            });
            sweptFromNanos = Math.max(SWEPT_TIMEOUT.toNanos(), tick.toNanos() * 10);
        }
    }

    /**
     * Restores the newest snapshot and rebuilds the core from the stable store and the log;
     * {@code applied} receives the index and term the state machine holds then.
     */
    private RaftCore recover(long[] applied) {
        long term = storage.stable().getLong(TERM_KEY, 0);
        String vote = storage.stable().get(VOTE_KEY).map(b -> new String(b, StandardCharsets.UTF_8))
                .filter(s -> !s.isEmpty()).orElse(null);
        long snapIndex = 0;
        long snapTerm = 0;
        List<ServerInfo> snapConfig = List.of();
        Optional<SnapshotMeta> latest = storage.snapshots().latest();
        if (latest.isPresent()) {
            SnapshotMeta meta = latest.get();
            machine.restore(meta);
            snapIndex = meta.index();
            snapTerm = meta.term();
            snapConfig = ServerConfigurations.decode(meta.configuration(), "snapshot " + meta.id());
        }
        applied[0] = snapIndex;
        applied[1] = snapTerm;
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
        return new RaftCore(id, settings.options(), context.random(),
                new RaftCore.InitialState(term, vote, snapIndex, snapTerm, snapConfig, prevIndex, prevTerm, entries));
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
        }
        if (started && settings.transferOnLeave() && isLeader() && !settings.leaveTimeout().isZero()
                && configuration().stream().filter(ServerInfo::voter).count() > 1) {
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
        ReadyLoop l = loop;
        links.markClosed();
        if (l != null) {
            l.markClosed();
        }
        executor.execute(() -> {
            if (l != null) {
                l.failPending(new ConsensusException("raft is closed"));
            }
            links.close();
        });
        // Writes in flight finish before the storage (closed after this plugin) goes away.
        for (ExecutorService e : ownThreads) {
            e.shutdown();
            try {
                if (!e.awaitTermination(settings.leaveTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    log.log(System.Logger.Level.WARNING, "raft " + id + ": a log or snapshot write did not finish on close");
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        if (l != null) {
            l.publishClosed();
        } else {
            notifyListeners(leadership());
        }
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

    // ------------------------------------------------------------------ API

    private ConsensusException refusal() {
        if (closed) {
            return new ConsensusException("raft is closed");
        }
        if (!started) {
            return new ConsensusException("raft is not started");
        }
        String stopped = loop.stopped();
        if (stopped != null) {
            return new ConsensusException("raft " + id + " stopped: " + stopped);
        }
        return null;
    }

    /**
     * Fails {@code f} with a timeout once {@code timeout} has passed. A timeout of at least
     * {@link #SWEPT_TIMEOUT} and ten ticks (every write and read barrier of the agent: 10 s)
     * joins {@code deadlines}, which each tick sweeps: it fires up to one tick late, and a write
     * costs a queue node instead of a scheduler timer set and cancelled. Shorter ones get a timer.
     */
    private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout, String what) {
        long nanos = timeout.toNanos();
        if (nanos >= sweptFromNanos) {
            if (nanos < Long.MAX_VALUE / 4) { // longer (over 70 years) never passes; the sum would overflow
                deadlines.add(new Deadline(f, context.clock().nanos() + nanos, timeout, what));
            }
            return f;
        }
        Cancellable timer = context.scheduler().schedule(timeout, () -> f.completeExceptionally(
                new ConsensusException(what + " timed out after " + timeout)));
        f.whenComplete((r, t) -> timer.cancel());
        return f;
    }

    /** Drops the deadlines of completed operations and fails those whose deadline passed. */
    private void sweepDeadlines() {
        long now = context.clock().nanos();
        for (java.util.Iterator<Deadline> it = deadlines.iterator(); it.hasNext(); ) {
            Deadline d = it.next();
            if (d.future().isDone()) {
                it.remove();
            } else if (now - d.atNanos() >= 0) {
                it.remove();
                d.future().completeExceptionally(new ConsensusException(d.what() + " timed out after " + d.timeout()));
            }
        }
    }

    /** Runs {@code input} in the loop, on the executor; it is refused with the loop's refusal once the loop stopped. */
    private void inLoop(CompletableFuture<?> f, Runnable input) {
        ReadyLoop l = loop;
        executor.execute(() -> l.submit(() -> {
            if (f.isDone()) {
                return;
            }
            ConsensusException r = refusal();
            if (r != null) {
                f.completeExceptionally(r);
                return;
            }
            input.run();
        }));
    }

    private ConsensusException mapRejected(Rejected e) {
        return e.reason() == Rejected.Reason.NOT_LEADER ? loop.notLeader() : new ConsensusException(e.getMessage());
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
        long started = metrics.proposed();
        CompletableFuture<Object> f = new CompletableFuture<>();
        withTimeout(f, timeout, "apply (the command may still commit)");
        inLoop(f, () -> {
            try {
                loop.propose(copy, f);
            } catch (Rejected e) {
                f.completeExceptionally(mapRejected(e));
            }
        });
        return f.thenApply(o -> {
            metrics.applied(started);
            return (Applied) o;
        });
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
        ReadyLoop l = loop;
        if (mode == ReadConsistency.STALE) {
            return CompletableFuture.completedFuture(l.appliedIndex());
        }
        if (mode == ReadConsistency.DEFAULT) {
            long index = l.leaseReadIndex();
            if (index >= 0) {
                return CompletableFuture.completedFuture(index);
            }
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        withTimeout(f, timeout, "read barrier");
        inLoop(f, () -> {
            try {
                l.read(mode, f);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        f.whenComplete((r, t) -> {
            if (t != null) {
                executor.execute(() -> l.forgetRead(f));
            }
        });
        return f;
    }

    @Override
    public boolean isLeader() {
        ReadyLoop l = loop;
        return leadership().isLeader() && !closed && l != null && l.running();
    }

    @Override
    public Leadership leadership() {
        ReadyLoop l = loop;
        return l == null ? new Leadership(0, false, Optional.empty()) : l.leadership();
    }

    @Override
    public Subscription onLeadershipChange(Consumer<Leadership> listener) {
        listeners.add(listener);
        listener.accept(leadership());
        return () -> listeners.remove(listener);
    }

    @Override
    public Duration lastContact() {
        if (isLeader()) {
            return Duration.ZERO;
        }
        ReadyLoop l = loop;
        int ticks = l == null ? Integer.MAX_VALUE : l.ticksSinceContact();
        return ticks == Integer.MAX_VALUE ? Duration.ofMillis(Long.MAX_VALUE) : settings.tickDuration().multipliedBy(ticks);
    }

    @Override
    public List<io.tribune.api.consensus.FollowerProgress> followerProgress() {
        ReadyLoop l = loop;
        return l == null ? List.of() : l.followerProgress();
    }

    @Override
    public long appliedIndex() {
        ReadyLoop l = loop;
        return l == null ? 0 : l.appliedIndex();
    }

    @Override
    public List<ServerInfo> configuration() {
        ReadyLoop l = loop;
        return l == null ? bootstrapped : l.configuration();
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

    private CompletableFuture<Void> changeConfiguration(Duration timeout, UnaryOperator<List<ServerInfo>> change,
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
        inLoop(f, () -> {
            try {
                if (added != null) {
                    links.learn(added.id(), added.endpoint());
                }
                loop.proposeConfiguration(change.apply(loop.core().configuration()), f);
            } catch (Rejected e) {
                f.completeExceptionally(mapRejected(e));
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
        ReadyLoop l = loop;
        inLoop(f, () -> {
            try {
                l.transferLeadership(target == null ? null : target.orElse(null), f);
            } catch (Rejected e) {
                f.completeExceptionally(mapRejected(e));
            }
        });
        f.whenComplete((r, t) -> executor.execute(() -> l.forgetTransfer(f)));
        return f;
    }

    @Override
    public CompletableFuture<Long> snapshotNow() {
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        ReadyLoop l = loop;
        executor.execute(() -> l.takeSnapshot().whenComplete((i, t) -> {
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
        ReadyLoop l = loop;
        ReadyLoop.StatsView v = l == null ? null : l.stats();
        Map<String, String> s = new LinkedHashMap<>();
        if (v == null) {
            s.put("applied_index", Long.toString(appliedIndex()));
            return s;
        }
        String stopped = l.stopped();
        s.put("state", stopped != null ? "Stopped" : v.role() == Role.LEADER ? "Leader"
                : v.role() == Role.FOLLOWER ? "Follower" : "Candidate");
        s.put("term", Long.toString(v.term()));
        s.put("commit_index", Long.toString(v.commitIndex()));
        s.put("applied_index", Long.toString(l.appliedIndex()));
        s.put("last_log_index", Long.toString(v.lastLogIndex()));
        s.put("last_log_term", Long.toString(v.lastLogTerm()));
        s.put("last_snapshot_index", Long.toString(v.snapshotIndex()));
        s.put("leader", v.leader() == null ? "" : v.leader());
        s.put("num_peers", Long.toString(v.configuration().stream().filter(x -> x.voter() && !x.id().equals(id)).count()));
        s.put("latest_configuration_index", Long.toString(v.configurationIndex()));
        if (stopped != null) {
            // Consensus.stats(): after a fail-stop, why the server stopped.
            s.put("stopped", stopped);
        }
        return s;
    }
}
