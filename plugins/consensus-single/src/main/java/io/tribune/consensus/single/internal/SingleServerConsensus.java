package io.tribune.consensus.single.internal;

import io.tribune.api.consensus.ServerConfigurations;
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
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A consensus of exactly one server. Every command is appended to the storage plugin's log (one
 * append per batch of commands that queued up meanwhile: group commit) and then applied to the
 * state machine in index order on one serial executor, so the state machine is never called
 * concurrently. The server is leader of every term it starts: each start bumps the persisted term,
 * which keeps terms monotonic in the log across restarts as Raft requires (Raft §5.1).
 *
 * <p>Reads need no round trip: a command's future completes only after it is applied, so the
 * applied index always covers every acknowledged write and local state is linearizable.
 *
 * <p>Fail-stop (the {@link Consensus} contract): a state machine that throws (or returns null)
 * on a logged command stops this server for good: nothing after that entry is applied, every
 * pending and later operation fails naming the index and the cause, it is no longer leader, and
 * {@link #stats()} says why. The entries after it stay in the log, unapplied; a restart replays
 * the log and, the state machine being deterministic, stops at the same entry until the cause
 * is fixed.
 */
final class SingleServerConsensus implements Consensus {
    static final String TERM_KEY = "consensus-single.term";
    static final String STATE_KEY = "consensus-single.bootstrapped";
    private static final String MEMBERSHIP_ERROR = "single-server consensus cannot change membership";

    private final String serverId;
    private final StateMachine stateMachine;
    private final Storage storage;
    private final SingleSettings settings;
    private final PluginContext context;
    private final System.Logger log;
    private final Executor executor;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final CopyOnWriteArrayList<Consumer<Leadership>> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();

    private volatile boolean started;
    private volatile boolean closed;
    private volatile long term;
    private volatile long appliedIndex;
    private volatile long lastIndex;
    private volatile long snapshotIndex;
    private volatile List<ServerInfo> configuration = List.of();
    // Why the server stopped for good (fail-stop), or null while it runs.
    private volatile String stopped;
    // Touched only on the executor (or in start(), before anything else may run).
    private long appliedTerm;

    SingleServerConsensus(ConsensusSetup setup, SingleSettings settings, PluginContext context) {
        this.serverId = setup.serverId();
        this.stateMachine = setup.stateMachine();
        this.storage = setup.storage();
        this.settings = settings;
        this.context = context;
        this.log = context.logger("consensus-single");
        this.executor = context.scheduler().serial("consensus-single");
    }

    @Override
    public boolean hasState() {
        return storage.stable().getLong(TERM_KEY, 0) > 0 || storage.log().lastIndex() > 0
                || storage.snapshots().latest().isPresent();
    }

    @Override
    public void bootstrap(List<ServerInfo> servers) {
        if (servers == null || servers.size() != 1 || !servers.get(0).id().equals(serverId)
                || !servers.get(0).voter()) {
            throw new ConsensusException("single-server consensus bootstraps only a configuration of exactly"
                    + " itself as a voter ('" + serverId + "'), got " + servers);
        }
        synchronized (lifecycle) {
            if (started || closed) {
                throw new ConsensusException("bootstrap must come before start");
            }
            if (hasState()) {
                throw new ConsensusException("server '" + serverId + "' already has state; cannot bootstrap");
            }
            // Term 1 holds the first configuration, as a Raft bootstrap does; start() then moves to term 2.
            storage.log().append(List.of(new LogEntry(1, 1, EntryKind.CONFIGURATION,
                    ServerConfigurations.encode(servers))));
            storage.stable().putLong(TERM_KEY, 1);
            configuration = List.copyOf(servers);
        }
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new ConsensusException("consensus-single is closed");
            }
            if (started) {
                throw new ConsensusException("consensus-single already started");
            }
            recover();
            long next = storage.stable().getLong(TERM_KEY, 0) + 1;
            storage.stable().putLong(TERM_KEY, next);
            term = next;
            if (configuration.isEmpty()) {
                // Never bootstrapped: a single server is always its whole cluster.
                configuration = List.of(new ServerInfo(serverId, new Endpoint("127.0.0.1", 0), true));
            }
            started = true;
            log.log(System.Logger.Level.INFO, "consensus-single started: term " + next + ", applied index "
                    + appliedIndex + ", last log index " + lastIndex);
        }
        notifyListeners();
    }

    /** Restores the newest snapshot and replays the log after it. */
    private void recover() {
        SnapshotStore snapshots = storage.snapshots();
        Optional<SnapshotMeta> latest = snapshots.latest();
        if (latest.isPresent()) {
            SnapshotMeta meta = latest.get();
            SnapshotStore.Reader reader = snapshots.open(meta.id()).orElseThrow(() ->
                    new ConsensusException("snapshot " + meta.id() + " vanished while opening it"));
            try (reader; InputStream in = reader.stream()) {
                stateMachine.restore(meta.index(), meta.term(), in);
            } catch (IOException e) {
                throw new ConsensusException("restoring snapshot " + meta.id() + " at index " + meta.index()
                        + " failed: " + e.getMessage(), e);
            }
            appliedIndex = meta.index();
            appliedTerm = meta.term();
            snapshotIndex = meta.index();
            if (meta.configuration().length > 0) {
                configuration = ServerConfigurations.decode(meta.configuration(), "snapshot " + meta.id());
            }
        }
        LogStore logStore = storage.log();
        long first = logStore.firstIndex();
        long last = logStore.lastIndex();
        if (last > 0 && first > appliedIndex + 1) {
            throw new CorruptionException("log starts at index " + first + " but the newest snapshot ends at "
                    + appliedIndex + ": entries in between are missing");
        }
        long next = Math.max(first, appliedIndex + 1);
        while (last > 0 && next <= last) {
            List<LogEntry> batch = logStore.range(next, last, 4L * 1024 * 1024);
            if (batch.isEmpty()) {
                throw new CorruptionException("log entry " + next + " is missing during replay");
            }
            for (LogEntry e : batch) {
                applyEntry(e);
            }
            next = batch.get(batch.size() - 1).index() + 1;
        }
        lastIndex = Math.max(last, appliedIndex);
    }

    /**
     * Applies one logged entry; returns the state machine's result for commands, else null.
     *
     * @throws StateMachineFailure when the state machine threw or returned null (nothing changed)
     */
    private byte[] applyEntry(LogEntry e) {
        byte[] result = null;
        switch (e.kind()) {
            case COMMAND -> {
                try {
                    result = stateMachine.apply(e.index(), e.term(), e.data());
                    if (result == null) {
                        throw new IllegalStateException("the state machine returned null");
                    }
                } catch (RuntimeException ex) {
                    throw new StateMachineFailure("the state machine failed to apply committed index " + e.index()
                            + " (term " + e.term() + "): " + ex, ex);
                }
            }
            case CONFIGURATION -> configuration = ServerConfigurations.decode(e.data(), "log entry " + e.index());
            case NOOP -> { }
        }
        appliedIndex = e.index();
        appliedTerm = e.term();
        return result;
    }

    /** A committed command the state machine could not apply: fatal for this server. */
    private static final class StateMachineFailure extends ConsensusException {
        StateMachineFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public CompletableFuture<Applied> apply(byte[] command, Duration timeout) {
        if (command == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("command is null"));
        }
        if (command.length > settings.maxCommandBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("command of " + command.length
                    + " bytes exceeds consensus-single.max-command-bytes = " + settings.maxCommandBytes()));
        }
        if (timeout == null || timeout.isNegative()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("timeout must be >= 0, got "
                    + timeout));
        }
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        Pending p = new Pending(command.clone(), new CompletableFuture<>());
        Cancellable timer = context.scheduler().schedule(timeout, () -> p.future.completeExceptionally(
                new ConsensusException("apply timed out after " + timeout + "; the command may still commit")));
        p.future.whenComplete((r, t) -> timer.cancel());
        queue.add(p);
        executor.execute(this::drain);
        return p.future;
    }

    private ConsensusException refusal() {
        if (closed) {
            return new ConsensusException("consensus-single is closed");
        }
        if (!started) {
            return new ConsensusException("consensus-single is not started");
        }
        String why = stopped;
        if (why != null) {
            return new ConsensusException("consensus-single stopped: " + why);
        }
        return null;
    }

    /** Appends everything queued as one batch (one fsync) and applies it; runs on the executor. */
    private void drain() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            Pending p;
            while (batch.size() < settings.maxBatchEntries() && (p = queue.poll()) != null) {
                ConsensusException refusal = closed || stopped != null ? refusal() : null;
                if (refusal != null) {
                    p.future.completeExceptionally(refusal);
                } else {
                    batch.add(p);
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            writeAndApply(batch);
        }
    }

    private void writeAndApply(List<Pending> batch) {
        List<LogEntry> entries = new ArrayList<>(batch.size());
        long index = lastIndex;
        for (Pending p : batch) {
            entries.add(new LogEntry(++index, term, EntryKind.COMMAND, p.command));
        }
        RuntimeException failure = null;
        try {
            storage.log().append(entries);
            lastIndex = index;
        } catch (RuntimeException e) {
            // The store promises all or a prefix; what it kept is logged and will replay after a
            // restart, so it must be applied now too and acknowledged; the rest fails.
            failure = e;
            lastIndex = Math.max(appliedIndex, storage.log().lastIndex());
            log.log(System.Logger.Level.ERROR, "log append failed: " + e.getMessage());
        }
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            LogEntry e = entries.get(i);
            if (e.index() > lastIndex) {
                p.future.completeExceptionally(new ConsensusException("log append failed: "
                        + failure.getMessage(), failure));
                continue;
            }
            if (stopped != null) {
                p.future.completeExceptionally(refusal());
                continue;
            }
            try {
                byte[] result = applyEntry(e);
                p.future.complete(new Applied(e.index(), result));
            } catch (StateMachineFailure ex) {
                stop(ex);
                p.future.completeExceptionally(ex);
            }
        }
        if (stopped != null) {
            return;
        }
        if (appliedIndex - snapshotIndex >= settings.snapshotThreshold()) {
            try {
                takeSnapshot();
            } catch (RuntimeException | IOException e) {
                log.log(System.Logger.Level.ERROR, "automatic snapshot failed: " + e.getMessage());
            }
        }
    }

    /** Snapshots the state at the applied index and compacts the log up to it; on the executor. */
    private long takeSnapshot() throws IOException {
        long index = appliedIndex;
        if (index == 0) {
            throw new ConsensusException("nothing to snapshot: no entry has been applied");
        }
        if (index == snapshotIndex) {
            return index;
        }
        StateMachine.StateSnapshot snap = stateMachine.snapshot();
        try (SnapshotStore.Writer writer = storage.snapshots().create(index, appliedTerm,
                ServerConfigurations.encode(configuration))) {
            snap.writeTo(writer.stream());
            writer.commit();
        } finally {
            snap.release();
        }
        snapshotIndex = index;
        // Nobody else reads this log, so no trailing window is needed: everything covered goes.
        storage.log().truncatePrefix(index);
        return index;
    }

    /**
     * Fail-stop: the command is logged but this state machine cannot apply it, so this server is
     * no replica of the state any more. It applies nothing further and refuses every operation.
     */
    private void stop(StateMachineFailure failure) {
        stopped = failure.getMessage();
        log.log(System.Logger.Level.ERROR, "consensus-single stopped: " + failure.getMessage()
                + "; it applies nothing more until it is restarted");
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future.completeExceptionally(refusal());
        }
        notifyListeners();
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
        // Every acknowledged write is applied before its acknowledgement, so all modes are satisfied now.
        return CompletableFuture.completedFuture(appliedIndex);
    }

    @Override
    public boolean isLeader() {
        return started && !closed && stopped == null;
    }

    @Override
    public Leadership leadership() {
        if (!isLeader()) {
            return new Leadership(term, false, Optional.empty());
        }
        return new Leadership(term, true, Optional.of(self()));
    }

    private ServerInfo self() {
        for (ServerInfo s : configuration) {
            if (s.id().equals(serverId)) {
                return s;
            }
        }
        return new ServerInfo(serverId, new Endpoint("127.0.0.1", 0), true);
    }

    @Override
    public Subscription onLeadershipChange(Consumer<Leadership> listener) {
        listeners.add(listener);
        listener.accept(leadership());
        return () -> listeners.remove(listener);
    }

    private void notifyListeners() {
        Leadership now = leadership();
        for (Consumer<Leadership> l : listeners) {
            try {
                l.accept(now);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "leadership listener failed: " + e.getMessage());
            }
        }
    }

    @Override
    public Duration lastContact() {
        return isLeader() ? Duration.ZERO : Duration.ofMillis(Long.MAX_VALUE);
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
        return CompletableFuture.failedFuture(new ConsensusException(MEMBERSHIP_ERROR));
    }

    @Override
    public CompletableFuture<Void> addNonVoter(ServerInfo server, Duration timeout) {
        return CompletableFuture.failedFuture(new ConsensusException(MEMBERSHIP_ERROR));
    }

    @Override
    public CompletableFuture<Void> removeServer(String id, Duration timeout) {
        return CompletableFuture.failedFuture(new ConsensusException(MEMBERSHIP_ERROR));
    }

    @Override
    public CompletableFuture<Void> transferLeadership(Optional<String> target, Duration timeout) {
        return CompletableFuture.failedFuture(new ConsensusException(
                "single-server consensus cannot transfer leadership: there is no other server"));
    }

    @Override
    public CompletableFuture<Long> snapshotNow() {
        ConsensusException refusal = refusal();
        if (refusal != null) {
            return CompletableFuture.failedFuture(refusal);
        }
        CompletableFuture<Long> f = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                f.complete(takeSnapshot());
            } catch (IOException | RuntimeException e) {
                f.completeExceptionally(e instanceof ConsensusException ce ? ce
                        : new ConsensusException("snapshot failed: " + e.getMessage(), e));
            }
        });
        return f;
    }

    @Override
    public Map<String, String> stats() {
        Map<String, String> m = new LinkedHashMap<>();
        String why = stopped;
        m.put("state", isLeader() ? "Leader" : closed ? "Shutdown" : why != null ? "Stopped" : "Follower");
        m.put("term", Long.toString(term));
        m.put("commit_index", Long.toString(lastIndex));
        m.put("applied_index", Long.toString(appliedIndex));
        m.put("last_log_index", Long.toString(lastIndex));
        m.put("last_snapshot_index", Long.toString(snapshotIndex));
        m.put("leader", isLeader() ? serverId : "");
        m.put("num_peers", "0");
        if (why != null) {
            // Consensus.stats(): after a fail-stop, why the server stopped.
            m.put("stopped", why);
        }
        return m;
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Pending p;
        while ((p = queue.poll()) != null) {
            p.future.completeExceptionally(new ConsensusException("consensus-single is closed"));
        }
        notifyListeners();
    }

    private record Pending(byte[] command, CompletableFuture<Applied> future) {
    }
}
