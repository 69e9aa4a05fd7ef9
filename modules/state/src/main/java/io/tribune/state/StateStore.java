package io.tribune.state;

import io.tribune.api.Subscription;
import io.tribune.api.consensus.StateMachine;
import io.tribune.state.internal.Applier;
import io.tribune.state.internal.ChangeFeed;
import io.tribune.state.internal.DedupTable;
import io.tribune.state.internal.Key2;
import io.tribune.state.internal.PersistentMap;
import io.tribune.state.internal.Restores;
import io.tribune.state.internal.SnapshotCodec;
import io.tribune.state.internal.StagedRestore;
import io.tribune.state.internal.State;
import io.tribune.state.internal.Tx;
import io.tribune.state.internal.WatchRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replicated state machine of a Tribune server: catalog (nodes, services, checks), KV store,
 * sessions, user events and network coordinates, with the raft index of every change.
 *
 * <p><b>Writes.</b> Only through {@link #apply}, called by the consensus plugin with commands
 * built as {@link Command} records and {@link Command#encode() encoded}; the result bytes decode
 * with {@link CommandResult#decode}. Apply never throws for a bad command: it returns a
 * {@link CommandResult.Failed} and changes nothing except the applied index.
 *
 * <p><b>Reads.</b> Thread-safe and lock-free: each read takes the current immutable version of
 * the state, so it is consistent and no older than the last index applied when it started. Reads
 * return {@link Indexed} values whose index is what a blocking query reports as
 * {@code X-Consul-Index}.
 *
 * <p><b>Blocking queries.</b> {@link #watch} returns a future completing once the watched data's
 * index exceeds the one given. The HTTP layer combines it with a timeout computed by
 * {@link BlockingWait#effectiveWait}: {@code store.watch(target, index).orTimeout(...)}, or
 * {@code completeOnTimeout}; a timed-out or cancelled future is unregistered at once. Futures are
 * completed on the notification executor passed to the constructor, never on the apply thread.
 *
 * <p><b>Change feed.</b> {@link #subscribe(ChangeListener)} delivers every committed write's typed
 * {@link Change}s in index order, for the gRPC watch streams.
 *
 * <p><b>Snapshots.</b> {@link #snapshot()} captures the current version (O(1)); its
 * {@code writeTo} may run on another thread while later commands apply. {@link #restore} reads a
 * snapshot fully, verifies its checksum and structure, and only then swaps it in; a corrupt or
 * truncated snapshot throws {@link IOException} and leaves the state unchanged.
 *
 * <p><b>Restores through the log.</b> A user's snapshot ({@code PUT /v1/snapshot}) is restored on
 * every server by the staged restore commands ({@link Command.RestoreBegin},
 * {@link Command.RestoreChunk}, {@link Command.RestoreCommit}): the pieces are staged in the state
 * (and in its snapshots) and the commit swaps the decoded snapshot in at the commit's index, with
 * the same wake-ups as {@link #restore}.
 *
 * <p><b>At most once.</b> A write wrapped in {@link Command.Dedup} carries the client request id
 * chosen where the request arrived; the store records the id with the write's index and result in
 * a replicated table (part of the state and of its snapshots), and a later command with the same
 * id applies nothing and returns {@link CommandResult.Repeated} (Raft thesis §6.3). The table is
 * bounded from the log alone ({@link #DEDUP_GENERATION_MILLIS}, {@link #DEDUP_GENERATION_ENTRIES},
 * {@link #DEDUP_GENERATION_RESULT_BYTES}); past the bounds a retry applies again.
 */
public final class StateStore implements StateMachine {
    /** How many user events are kept (the oldest are dropped), as Consul's agent keeps 256. */
    public static final int MAX_EVENTS = 256;
    /** How many undelivered batches a feed subscriber may have before it is dropped. */
    public static final int MAX_PENDING_BATCHES = 10_000;

    /**
     * Dedup table: a generation of recorded requests closes after this much log time (the newest
     * proposer time in the log, {@link Command.Dedup#nowMillis()}): 2 minutes. With the previous
     * generation also kept, a request stays recorded for at least this long of log time, unless
     * {@link #DEDUP_GENERATION_ENTRIES} later requests push it out first. Forwarders re-send a
     * write for at most a quarter of it (see {@code docs/state.md}).
     */
    public static final long DEDUP_GENERATION_MILLIS = 120_000;
    /**
     * Dedup table: a generation closes at this many requests (2^19), so the table holds at most
     * 2^20 and always the latest 2^19: 52 s of writes at 10,000 writes/s.
     */
    public static final int DEDUP_GENERATION_ENTRIES = 1 << 19;
    /** Dedup table: a generation closes at this many bytes of recorded results (16 MiB). */
    public static final long DEDUP_GENERATION_RESULT_BYTES = 16L << 20;
    /**
     * Dedup table: largest result kept to answer a retry (64 KiB). A retry of a request whose
     * result was larger (a transaction reading large values) applies nothing and gets a
     * {@link CommandResult.Failed} ({@code REJECTED}) saying so.
     */
    public static final int DEDUP_MAX_RESULT_BYTES = 64 << 10;

    private final Executor notifier;
    private final WatchRegistry watches = new WatchRegistry();
    private final ChangeFeed feed;
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile State state = State.empty();

    /**
     * A store completing watch futures and delivering the change feed on {@code notifier}
     * (e.g. the platform scheduler, or an executor of the HTTP layer). A direct executor
     * ({@code Runnable::run}) is allowed in tests but puts waiter callbacks on the apply thread.
     */
    public StateStore(Executor notifier) {
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.feed = new ChangeFeed(notifier, MAX_PENDING_BATCHES);
    }

    // ------------------------------------------------------------------ StateMachine

    /**
     * Applies one committed command. Never throws: a malformed, invalid or out-of-order command
     * yields an encoded {@link CommandResult.Failed} and changes nothing.
     */
    @Override
    public byte[] apply(long index, long term, byte[] command) {
        writeLock.lock();
        try {
            return applyLocked(index, command).encode();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Applies a command object directly (what {@link #apply(long, long, byte[])} does after
     * decoding); for embedding and tests.
     */
    public CommandResult apply(long index, Command command) {
        writeLock.lock();
        try {
            return applyDecoded(index, command);
        } finally {
            writeLock.unlock();
        }
    }

    private CommandResult applyLocked(long index, byte[] bytes) {
        State s = state;
        if (index <= s.index) {
            return new CommandResult.Failed(CommandResult.Failed.Kind.INVALID,
                    "index " + index + " is not after the last applied index " + s.index);
        }
        Command c;
        try {
            c = Command.decode(bytes);
        } catch (RuntimeException e) {
            state = s.withIndex(index);
            return new CommandResult.Failed(CommandResult.Failed.Kind.INVALID, "malformed command: " + e.getMessage());
        }
        return applyDecoded(index, c);
    }

    private CommandResult applyDecoded(long index, Command c) {
        State s = state;
        if (index <= s.index) {
            return new CommandResult.Failed(CommandResult.Failed.Kind.INVALID,
                    "index " + index + " is not after the last applied index " + s.index);
        }
        if (c instanceof Command.Dedup d) {
            DedupTable.Entry seen = s.dedup.find(d.id());
            if (seen != null) {
                // A retry of a request already applied (Raft thesis §6.3): answer as the first time,
                // change nothing but the applied index, wake nobody.
                state = s.withIndex(index);
                return new CommandResult.Repeated(seen.index(), CommandResult.decode(seen.result()));
            }
            return applyOnce(s, index, d.command(), d);
        }
        return applyOnce(s, index, c, null);
    }

    /**
     * Applies {@code c} at {@code index}; when {@code request} is not null, its id and the result
     * are recorded in the dedup table of the same new version, whatever the result (a failure too:
     * a retry must get the same answer, not a second attempt on a changed state).
     */
    private CommandResult applyOnce(State s, long index, Command c, Command.Dedup request) {
        Optional<String> problem = CommandValidator.validate(request != null ? request : c);
        if (problem.isPresent()) {
            CommandResult r = new CommandResult.Failed(CommandResult.Failed.Kind.INVALID, problem.get());
            state = recorded(s.withIndex(index), request, index, r);
            return r;
        }
        if (Restores.handles(c)) {
            return applyRestore(s, index, c, request);
        }
        Tx tx = new Tx(s, index);
        CommandResult result;
        try {
            result = Applier.apply(tx, c);
        } catch (RuntimeException e) {
            // A bug must not wedge every server on this entry: drop its effects and move on.
            CommandResult r = new CommandResult.Failed(CommandResult.Failed.Kind.INTERNAL,
                    "internal error applying " + c.getClass().getSimpleName() + ": " + e);
            state = recorded(s.withIndex(index), request, index, r);
            return r;
        }
        if (!tx.dirty()) {
            state = recorded(s.withIndex(index), request, index, result);
            return result;
        }
        state = recorded(tx.commit(), request, index, result);
        List<Change> changes = List.copyOf(tx.changes());
        if (!changes.isEmpty()) {
            List<WatchRegistry.Waiter> woken = watches.takeAffected(changes);
            complete(woken, index);
            feed.publish(index, changes);
        }
        return result;
    }

    /** {@code next} with {@code request}'s id recorded, or {@code next} itself when there is no request. */
    private static State recorded(State next, Command.Dedup request, long index, CommandResult result) {
        if (request == null) {
            return next;
        }
        return next.withDedup(next.dedup.record(request.id(), index, request.nowMillis(), result.encode()));
    }

    private CommandResult applyRestore(State s, long index, Command c, Command.Dedup request) {
        Restores.Outcome o;
        try {
            o = Restores.apply(s, index, c);
        } catch (RuntimeException e) {
            CommandResult r = new CommandResult.Failed(CommandResult.Failed.Kind.INTERNAL,
                    "internal error applying " + c.getClass().getSimpleName() + ": " + e);
            state = recorded(s.withIndex(index), request, index, r);
            return r;
        }
        State next = recorded(o.next(), request, index, o.result());
        if (o.replaced()) {
            swapIn(next, index);
        } else {
            state = next;
        }
        return o.result();
    }

    /** Publishes a whole new state (a restore): every waiter wakes, feed subscribers get a reset. */
    private void swapIn(State next, long index) {
        List<WatchRegistry.Waiter> all;
        synchronized (watches.lock()) {
            state = next;
            all = watches.takeAll();
        }
        complete(all, index);
        feed.reset(index);
    }

    private void complete(List<WatchRegistry.Waiter> woken, long index) {
        if (woken.isEmpty()) {
            return;
        }
        Runnable task = () -> {
            for (WatchRegistry.Waiter w : woken) {
                w.future().complete(index);
            }
        };
        try {
            notifier.execute(task);
        } catch (RejectedExecutionException e) {
            // The executor is shut down: completing here beats leaving waiters hanging.
            task.run();
        }
    }

    /** O(1): captures the current immutable version. */
    @Override
    public StateSnapshot snapshot() {
        State captured = state;
        return new StateSnapshot() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                SnapshotCodec.write(captured, out);
            }
        };
    }

    /**
     * Reads, verifies and swaps in a snapshot; on any problem throws {@link IOException} and
     * keeps the current state. Every waiter is woken and feed subscribers get
     * {@link ChangeListener#onReset}.
     */
    @Override
    public void restore(long index, long term, InputStream in) throws IOException {
        State restored = SnapshotCodec.read(in, index);
        writeLock.lock();
        try {
            swapIn(restored, index);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Checks that {@code snapshot} is a complete, uncorrupted snapshot this store could restore
     * (size, checksum, magic, version, every section), without touching any state: what the
     * leader runs before it proposes a staged restore, so that a bad snapshot is refused before
     * anything enters the log.
     *
     * @throws IOException naming the problem
     */
    public static void verifySnapshot(byte[] snapshot) throws IOException {
        SnapshotCodec.read(snapshot, snapshot.length, 0, false);
    }

    /**
     * How many bytes the restore staged through the log holds ({@link Command.RestoreBegin} to
     * {@link Command.RestoreCommit}), or empty when none is staged; for metrics and tests.
     */
    public java.util.OptionalLong stagedRestoreBytes() {
        StagedRestore r = state.staged;
        return r == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(r.received());
    }

    /**
     * How many client requests the dedup table holds now (at most
     * {@code 2 × }{@link #DEDUP_GENERATION_ENTRIES}); for metrics and tests.
     */
    public int dedupEntries() {
        return state.dedup.size();
    }

    /**
     * The index at which the request {@code id} was applied, if the dedup table still holds it: a
     * command carrying that id now would apply nothing.
     */
    public java.util.OptionalLong requestIndex(RequestId id) {
        DedupTable.Entry e = state.dedup.find(Objects.requireNonNull(id, "id"));
        return e == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(e.index());
    }

    /** The last applied raft index (0 before the first command). */
    public long lastIndex() {
        return state.index;
    }

    /** The index of {@code table}: the raft index that last changed it. */
    public long tableIndex(Table table) {
        return state.tableIndex(table);
    }

    // ------------------------------------------------------------------ watches and feed

    /**
     * A future that completes with an index greater than {@code afterIndex} as soon as the data
     * watched by {@code target} changes after {@code afterIndex} — at once if it already has (the
     * usual case for a client's first query, index 0). Only writes that touch the target wake it.
     * Cancelling the future, or completing it by a timeout ({@code orTimeout},
     * {@code completeOnTimeout}), unregisters it.
     */
    public CompletableFuture<Long> watch(WatchTarget target, long afterIndex) {
        Objects.requireNonNull(target, "target");
        CompletableFuture<Long> f = new CompletableFuture<>();
        WatchRegistry.Waiter w;
        // Checking the index and registering under the registry's lock, while apply publishes the
        // new state before taking the same lock to collect waiters, means a write is either seen
        // by the check or wakes the waiter: never lost.
        synchronized (watches.lock()) {
            long current = indexOf(state, target);
            if (current > afterIndex) {
                f.complete(current);
                return f;
            }
            w = watches.add(target, f);
        }
        f.whenComplete((v, e) -> watches.remove(w));
        return f;
    }

    /** The index a read of {@code target} reports now. */
    public long watchIndex(WatchTarget target) {
        return indexOf(state, target);
    }

    /** Number of registered blocking-query waiters (for metrics). */
    public int waiterCount() {
        return watches.size();
    }

    /**
     * Subscribes to the change feed: {@code listener} receives every later committed write's
     * changes, in index order, on the notification executor.
     */
    public Subscription subscribe(ChangeListener listener) {
        return feed.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Subscribes to the changes that affect {@code target} only (e.g. one gRPC watch stream per
     * key or service): delivered like {@link #subscribe(ChangeListener)}, but a write costs
     * nothing for subscribers whose target it does not touch. Each batch holds only the matching
     * changes of one write. A restore sends {@link ChangeListener#onReset}.
     */
    public Subscription subscribe(WatchTarget target, ChangeListener listener) {
        return feed.subscribe(Objects.requireNonNull(target, "target"), Objects.requireNonNull(listener, "listener"));
    }

    private static long indexOf(State s, WatchTarget t) {
        if (t instanceof WatchTarget.KvKey k) {
            return kvKeyIndex(s, k.key());
        } else if (t instanceof WatchTarget.KvPrefix p) {
            return kvPrefixIndex(s, p.prefix());
        } else if (t instanceof WatchTarget.Service svc) {
            return serviceIndex(s, svc.name());
        } else if (t instanceof WatchTarget.Node n) {
            return nodeIndex(s, n.name());
        }
        return s.tableIndex(((WatchTarget.TableTarget) t).table());
    }

    private static long kvKeyIndex(State s, String key) {
        KvEntry e = s.kv.get(key);
        if (e != null) {
            return e.modifyIndex();
        }
        Long tomb = s.tombstones.get(key);
        // Absent and never deleted (or reaped): the table index, which is at least any index this
        // key ever reported.
        return tomb != null ? tomb : s.tableIndex(Table.KVS);
    }

    private static long kvPrefixIndex(State s, String prefix) {
        if (prefix.isEmpty()) {
            return s.tableIndex(Table.KVS);
        }
        long max = 0;
        for (KvEntry e : listKv(s, prefix)) {
            max = Math.max(max, e.modifyIndex());
        }
        Iterator<Map.Entry<String, Long>> it = s.tombstones.iteratorFrom(prefix);
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            max = Math.max(max, e.getValue());
        }
        if (max == 0) {
            return s.tableIndex(Table.KVS);
        }
        return Math.max(max, s.kvReapIndex);
    }

    private static long serviceIndex(State s, String name) {
        Long i = s.serviceIndex.get(name);
        return i != null ? i : maxCatalog(s);
    }

    private static long nodeIndex(State s, String name) {
        Long i = s.nodeIndex.get(name);
        return i != null ? i : maxCatalog(s);
    }

    private static long maxCatalog(State s) {
        return Math.max(s.tableIndex(Table.NODES), Math.max(s.tableIndex(Table.SERVICES), s.tableIndex(Table.CHECKS)));
    }

    private static long atLeastOne(long i) {
        // Consul never reports index 0: a client passing 0 means "don't block".
        return Math.max(1, i);
    }

    // ------------------------------------------------------------------ KV reads

    /** {@code GET /v1/kv/<key>}: the entry if present; index per the key (see docs/state.md). */
    public Indexed<Optional<KvEntry>> kvGet(String key) {
        State s = state;
        return new Indexed<>(atLeastOne(kvKeyIndex(s, key)), Optional.ofNullable(s.kv.get(key)));
    }

    /** {@code GET /v1/kv/<prefix>?recurse}: entries under {@code prefix} in key order. */
    public Indexed<List<KvEntry>> kvList(String prefix) {
        State s = state;
        return new Indexed<>(atLeastOne(kvPrefixIndex(s, prefix)), listKv(s, prefix));
    }

    /**
     * {@code GET /v1/kv/<prefix>?keys[&separator=]}: keys under {@code prefix}; with a non-empty
     * separator, keys are cut after the first separator following the prefix and deduplicated
     * (so "a/b/c" under "a/" with "/" lists "a/b/").
     */
    public Indexed<List<String>> kvKeys(String prefix, String separator) {
        State s = state;
        TreeSet<String> out = new TreeSet<>();
        for (KvEntry e : listKv(s, prefix)) {
            String k = e.key();
            if (separator != null && !separator.isEmpty()) {
                int at = k.indexOf(separator, prefix.length());
                if (at >= 0) {
                    k = k.substring(0, at + separator.length());
                }
            }
            out.add(k);
        }
        return new Indexed<>(atLeastOne(kvPrefixIndex(s, prefix)), List.copyOf(out));
    }

    /** The lock-delay expiry (proposer wall millis) of {@code key}, if one is recorded. */
    public Optional<Long> kvLockDelay(String key) {
        return Optional.ofNullable(state.lockDelays.get(key));
    }

    /** Number of KV tombstones (for the leader's reaping and for metrics). */
    public int kvTombstoneCount() {
        return state.tombstones.size();
    }

    private static List<KvEntry> listKv(State s, String prefix) {
        List<KvEntry> out = new ArrayList<>();
        Iterator<Map.Entry<String, KvEntry>> it = s.kv.iteratorFrom(prefix);
        while (it.hasNext()) {
            Map.Entry<String, KvEntry> e = it.next();
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ catalog reads

    /** {@code GET /v1/catalog/nodes}: nodes whose meta contains every pair of {@code nodeMeta}. */
    public Indexed<List<Node>> nodes(Map<String, String> nodeMeta) {
        State s = state;
        List<Node> out = new ArrayList<>();
        for (Map.Entry<String, Node> e : s.nodes) {
            if (e.getValue().matchesMeta(nodeMeta)) {
                out.add(e.getValue());
            }
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.NODES)), out);
    }

    /** One node, if registered. */
    public Indexed<Optional<Node>> node(String name) {
        State s = state;
        return new Indexed<>(atLeastOne(nodeIndex(s, name)), Optional.ofNullable(s.nodes.get(name)));
    }

    /** {@code GET /v1/catalog/node/<node>}: the node and its services, if registered. */
    public Indexed<Optional<NodeServices>> nodeServices(String name) {
        State s = state;
        Node n = s.nodes.get(name);
        if (n == null) {
            return new Indexed<>(atLeastOne(nodeIndex(s, name)), Optional.empty());
        }
        return new Indexed<>(atLeastOne(nodeIndex(s, name)), Optional.of(new NodeServices(n, servicesOf(s, name))));
    }

    /**
     * {@code GET /v1/catalog/services}: every service name with the union of its instances' tags
     * (sorted), optionally only on nodes matching {@code nodeMeta}.
     */
    public Indexed<Map<String, List<String>>> services(Map<String, String> nodeMeta) {
        State s = state;
        TreeMap<String, TreeSet<String>> names = new TreeMap<>();
        for (Map.Entry<Key2, NodeService> e : s.services) {
            if (!nodeMeta.isEmpty()) {
                Node n = s.nodes.get(e.getKey().a());
                if (n == null || !n.matchesMeta(nodeMeta)) {
                    continue;
                }
            }
            names.computeIfAbsent(e.getValue().service(), k -> new TreeSet<>()).addAll(e.getValue().tags());
        }
        Map<String, List<String>> out = new TreeMap<>();
        names.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return new Indexed<>(atLeastOne(s.tableIndex(Table.SERVICES)), java.util.Collections.unmodifiableMap(out));
    }

    /**
     * {@code GET /v1/catalog/service/<name>[?tag=&node-meta=]}: instances of a service with
     * their nodes, ordered by node then id.
     *
     * @param tag      keep only instances carrying this tag; null or empty for all
     * @param nodeMeta keep only nodes whose meta contains every pair
     */
    public Indexed<List<ServiceInstance>> serviceInstances(String name, String tag, Map<String, String> nodeMeta) {
        State s = state;
        List<ServiceInstance> out = new ArrayList<>();
        forEachInstance(s, name, tag, nodeMeta, (n, svc) -> out.add(new ServiceInstance(n, svc)));
        return new Indexed<>(atLeastOne(serviceIndex(s, name)), out);
    }

    /**
     * {@code GET /v1/health/service/<name>[?tag=&passing&node-meta=]}: instances with their node
     * and the node's and instance's checks.
     *
     * @param passingOnly keep only instances whose every check is passing
     */
    public Indexed<List<ServiceHealth>> serviceHealth(String name, String tag, boolean passingOnly,
                                                      Map<String, String> nodeMeta) {
        State s = state;
        List<ServiceHealth> out = new ArrayList<>();
        forEachInstance(s, name, tag, nodeMeta, (n, svc) -> {
            List<HealthCheck> cs = new ArrayList<>();
            for (HealthCheck c : checksOf(s, n.node())) {
                if (c.serviceId().isEmpty() || c.serviceId().equals(svc.id())) {
                    cs.add(c);
                }
            }
            ServiceHealth h = new ServiceHealth(n, svc, cs);
            if (!passingOnly || h.aggregateStatus() == HealthStatus.PASSING) {
                out.add(h);
            }
        });
        return new Indexed<>(atLeastOne(serviceIndex(s, name)), out);
    }

    /** {@code GET /v1/health/node/<node>}: the node's checks (node and service level). */
    public Indexed<List<HealthCheck>> nodeChecks(String node) {
        State s = state;
        return new Indexed<>(atLeastOne(nodeIndex(s, node)), checksOf(s, node));
    }

    /** {@code GET /v1/health/checks/<service>}: the checks of every instance of a service. */
    public Indexed<List<HealthCheck>> serviceChecks(String service) {
        State s = state;
        List<HealthCheck> out = new ArrayList<>();
        Iterator<Map.Entry<Key2, Integer>> it = s.servicesByName.iteratorFrom(Key2.first(service));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(service)) {
                break;
            }
            for (HealthCheck c : checksOf(s, k.b())) {
                if (c.serviceName().equals(service)) {
                    out.add(c);
                }
            }
        }
        return new Indexed<>(atLeastOne(serviceIndex(s, service)), out);
    }

    /**
     * {@code GET /v1/health/state/<state>}: checks in {@code status}, or every check when
     * {@code status} is empty (Consul's {@code any}).
     */
    public Indexed<List<HealthCheck>> checksInState(Optional<HealthStatus> status) {
        State s = state;
        List<HealthCheck> out = new ArrayList<>();
        for (Map.Entry<Key2, HealthCheck> e : s.checks) {
            if (status.isEmpty() || e.getValue().status() == status.get()) {
                out.add(e.getValue());
            }
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.CHECKS)), out);
    }

    private interface InstanceVisitor {
        void visit(Node n, NodeService svc);
    }

    private static void forEachInstance(State s, String name, String tag, Map<String, String> nodeMeta,
                                        InstanceVisitor v) {
        Iterator<Map.Entry<Key2, Integer>> it = s.servicesByName.iteratorFrom(Key2.first(name));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(name)) {
                break;
            }
            Node n = s.nodes.get(k.b());
            if (n == null || !n.matchesMeta(nodeMeta)) {
                continue;
            }
            for (NodeService svc : servicesOf(s, k.b())) {
                if (svc.service().equals(name) && (tag == null || tag.isEmpty() || svc.tags().contains(tag))) {
                    v.visit(n, svc);
                }
            }
        }
    }

    private static List<NodeService> servicesOf(State s, String node) {
        return rangeValues(s.services, node);
    }

    private static List<HealthCheck> checksOf(State s, String node) {
        return rangeValues(s.checks, node);
    }

    private static <V> List<V> rangeValues(PersistentMap<Key2, V> m, String first) {
        List<V> out = new ArrayList<>();
        Iterator<Map.Entry<Key2, V>> it = m.iteratorFrom(Key2.first(first));
        while (it.hasNext()) {
            Map.Entry<Key2, V> e = it.next();
            if (!e.getKey().a().equals(first)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    // ------------------------------------------------------------------ sessions

    /** {@code GET /v1/session/info/<id>}. */
    public Indexed<Optional<Session>> session(String id) {
        State s = state;
        return new Indexed<>(atLeastOne(s.tableIndex(Table.SESSIONS)), Optional.ofNullable(s.sessions.get(id)));
    }

    /** {@code GET /v1/session/list}, ordered by id. */
    public Indexed<List<Session>> sessions() {
        State s = state;
        List<Session> out = new ArrayList<>();
        for (Map.Entry<String, Session> e : s.sessions) {
            out.add(e.getValue());
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.SESSIONS)), out);
    }

    /** {@code GET /v1/session/node/<node>}, ordered by id. */
    public Indexed<List<Session>> nodeSessions(String node) {
        State s = state;
        List<Session> out = new ArrayList<>();
        Iterator<Map.Entry<Key2, Boolean>> it = s.sessionsByNode.iteratorFrom(Key2.first(node));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(node)) {
                break;
            }
            Session ses = s.sessions.get(k.b());
            if (ses != null) {
                out.add(ses);
            }
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.SESSIONS)), out);
    }

    /**
     * Leader duty input: every session with a TTL (with its last renewal and
     * {@link Session#expiresAtMillis()}), ordered by id. The leader arms a timer per session and
     * proposes {@link Command.SessionDestroy} for those whose expiry passed.
     */
    public List<Session> sessionsWithTtl() {
        List<Session> out = new ArrayList<>();
        for (Map.Entry<String, Session> e : state.sessions) {
            if (e.getValue().hasTtl()) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    /**
     * Leader duty helper: the commands invalidating every TTL session expired at
     * {@code nowMillis} (the leader's wall clock), ordered by session id.
     */
    public List<Command> expiredSessionInvalidations(long nowMillis) {
        List<Command> out = new ArrayList<>();
        for (Session ses : sessionsWithTtl()) {
            if (ses.expiresAtMillis() <= nowMillis) {
                out.add(new Command.SessionDestroy(ses.id(), nowMillis));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ events and coordinates

    /** {@code GET /v1/event/list[?name=]}: recent events, oldest first; all when name is null or empty. */
    public Indexed<List<EventRecord>> events(String name) {
        State s = state;
        List<EventRecord> out = new ArrayList<>();
        for (EventRecord e : s.events) {
            if (name == null || name.isEmpty() || e.name().equals(name)) {
                out.add(e);
            }
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.EVENTS)), out);
    }

    /** {@code GET /v1/coordinate/nodes}: every coordinate, by node then segment. */
    public Indexed<List<Coordinate>> coordinates() {
        State s = state;
        List<Coordinate> out = new ArrayList<>();
        for (Map.Entry<Key2, Coordinate> e : s.coordinates) {
            out.add(e.getValue());
        }
        return new Indexed<>(atLeastOne(s.tableIndex(Table.COORDINATES)), out);
    }

    /** {@code GET /v1/coordinate/node/<node>}: the node's coordinates (one per segment). */
    public Indexed<List<Coordinate>> nodeCoordinates(String node) {
        State s = state;
        return new Indexed<>(atLeastOne(s.tableIndex(Table.COORDINATES)), rangeValues(s.coordinates, node));
    }

    // ------------------------------------------------------------------ ACL

    /** {@code GET /v1/acl/policy/<id>}: the policy with that ID. Indexed by the policies table. */
    public Indexed<Optional<AclPolicy>> aclPolicy(String id) {
        State s = state;
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_POLICIES)), Optional.ofNullable(s.acl.policies.get(id)));
    }

    /** The policy named {@code name}. */
    public Indexed<Optional<AclPolicy>> aclPolicyByName(String name) {
        State s = state;
        String id = s.acl.policyNames.get(name);
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_POLICIES)),
                Optional.ofNullable(id == null ? null : s.acl.policies.get(id)));
    }

    /** {@code GET /v1/acl/policies}: every policy, ordered by ID. */
    public Indexed<List<AclPolicy>> aclPolicies() {
        State s = state;
        List<AclPolicy> out = new ArrayList<>();
        s.acl.policies.forEachEntry((k, v) -> out.add(v));
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_POLICIES)), out);
    }

    /** {@code GET /v1/acl/token/<accessor>}: the token with that AccessorID. Indexed by the tokens table. */
    public Indexed<Optional<AclToken>> aclToken(String accessorId) {
        State s = state;
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_TOKENS)),
                Optional.ofNullable(s.acl.tokens.get(accessorId)));
    }

    /** The token whose SecretID is {@code secretId} (token resolution). */
    public Indexed<Optional<AclToken>> aclTokenBySecret(String secretId) {
        State s = state;
        String accessor = s.acl.secrets.get(secretId);
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_TOKENS)),
                Optional.ofNullable(accessor == null ? null : s.acl.tokens.get(accessor)));
    }

    /** {@code GET /v1/acl/tokens}: every token, ordered by AccessorID. */
    public Indexed<List<AclToken>> aclTokens() {
        State s = state;
        List<AclToken> out = new ArrayList<>();
        s.acl.tokens.forEachEntry((k, v) -> out.add(v));
        return new Indexed<>(atLeastOne(s.tableIndex(Table.ACL_TOKENS)), out);
    }

    /** The index of the ACL bootstrap, 0 when ACLs were never bootstrapped. */
    public long aclBootstrapIndex() {
        return state.acl.bootstrapIndex;
    }

    // ------------------------------------------------------------------ autopilot

    /**
     * The stored autopilot configuration ({@code GET /v1/operator/autopilot/configuration}), empty until a
     * configuration was stored through {@link Command.AutopilotSet}. Lock-free read of the current state.
     */
    public Optional<AutopilotConfig> autopilotConfig() {
        return Optional.ofNullable(state.autopilot);
    }

    // ------------------------------------------------------------------ prepared queries

    /** {@code GET /v1/query/<id>}: the query with that ID. Indexed by the prepared-query table. */
    public Indexed<Optional<PreparedQuery>> preparedQuery(String id) {
        State s = state;
        return new Indexed<>(atLeastOne(s.tableIndex(Table.PREPARED_QUERIES)),
                Optional.ofNullable(s.queries.byId.get(id)));
    }

    /** {@code GET /v1/query}: every query, ordered by ID. */
    public Indexed<List<PreparedQuery>> preparedQueries() {
        State s = state;
        List<PreparedQuery> out = new ArrayList<>();
        s.queries.byId.forEachEntry((k, v) -> out.add(v));
        return new Indexed<>(atLeastOne(s.tableIndex(Table.PREPARED_QUERIES)), out);
    }

    /**
     * The query that executing {@code idOrName} runs, as Consul resolves it: the query with that
     * ID when it is a UUID, else the query with that exact name, else the template whose name is
     * the longest prefix of it; empty when none (and always for ""). A template is returned as
     * stored: the caller renders it for the name ({@link QueryTemplate}).
     */
    public Indexed<Optional<PreparedQuery>> preparedQueryResolve(String idOrName) {
        State s = state;
        long index = atLeastOne(s.tableIndex(Table.PREPARED_QUERIES));
        if (idOrName.isEmpty()) {
            return new Indexed<>(index, Optional.empty());
        }
        if (CommandValidator.isSessionId(idOrName)) {
            PreparedQuery q = s.queries.byId.get(idOrName);
            if (q != null) {
                return new Indexed<>(index, Optional.of(q));
            }
        }
        String id = s.queries.byName.get(idOrName);
        PreparedQuery q = id == null ? null : s.queries.byId.get(id);
        if (q == null) {
            q = s.queries.longestTemplate(idOrName);
        }
        return new Indexed<>(index, Optional.ofNullable(q));
    }
}
