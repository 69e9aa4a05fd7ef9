package io.tribune.state.internal;

import io.tribune.state.Change;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.Session;
import io.tribune.state.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * A working copy of the state for one apply: the command's operations replace its persistent
 * maps and record their {@link Change}s; {@link #commit()} freezes it into the next
 * {@link State}. Because the maps are persistent, {@link #mark()} and {@link #rollback} cost
 * O(1), which is what makes KV transactions all-or-nothing.
 *
 * <p>Confined to the apply thread.
 */
public final class Tx {
    long index;
    long[] tableIndex;
    PersistentMap<String, KvEntry> kv;
    PersistentMap<String, Long> tombstones;
    long kvReapIndex;
    PersistentMap<String, Long> lockDelays;
    PersistentMap<Key2, Boolean> locks;
    PersistentMap<String, Node> nodes;
    PersistentMap<String, String> nodesById;
    PersistentMap<Key2, NodeService> services;
    PersistentMap<Key2, Integer> servicesByName;
    PersistentMap<Key2, HealthCheck> checks;
    PersistentMap<String, Session> sessions;
    PersistentMap<Key2, Boolean> sessionsByNode;
    PersistentMap<String, Long> serviceIndex;
    PersistentMap<String, Long> nodeIndex;
    List<EventRecord> events;
    PersistentMap<Key2, Coordinate> coordinates;
    /** The restore being staged, or null; only restore commands change it. */
    StagedRestore staged;
    /** Recent client requests; only the store changes it, after the command applied. */
    DedupTable dedup;
    /** ACL policies and tokens. */
    AclTables acl;
    /** Prepared queries. */
    QueryTables queries;
    /** The autopilot configuration, null until stored. */
    io.tribune.state.AutopilotConfig autopilot;
    final List<Change> changes = new ArrayList<>();
    private boolean dirty;

    /** An empty state at index 0. */
    Tx() {
        index = 0;
        tableIndex = new long[Table.values().length];
        kv = PersistentMap.empty();
        tombstones = PersistentMap.empty();
        lockDelays = PersistentMap.empty();
        locks = PersistentMap.empty();
        nodes = PersistentMap.empty();
        nodesById = PersistentMap.empty();
        services = PersistentMap.empty();
        servicesByName = PersistentMap.empty();
        checks = PersistentMap.empty();
        sessions = PersistentMap.empty();
        sessionsByNode = PersistentMap.empty();
        serviceIndex = PersistentMap.empty();
        nodeIndex = PersistentMap.empty();
        events = List.of();
        coordinates = PersistentMap.empty();
        dedup = DedupTable.empty(DedupTable.DEFAULT);
        acl = AclTables.EMPTY;
        queries = QueryTables.EMPTY;
    }

    /** A working copy of {@code s} for the command at {@code index}. */
    public Tx(State s, long index) {
        this.index = index;
        this.tableIndex = s.tableIndex.clone();
        this.kv = s.kv;
        this.tombstones = s.tombstones;
        this.kvReapIndex = s.kvReapIndex;
        this.lockDelays = s.lockDelays;
        this.locks = s.locks;
        this.nodes = s.nodes;
        this.nodesById = s.nodesById;
        this.services = s.services;
        this.servicesByName = s.servicesByName;
        this.checks = s.checks;
        this.sessions = s.sessions;
        this.sessionsByNode = s.sessionsByNode;
        this.serviceIndex = s.serviceIndex;
        this.nodeIndex = s.nodeIndex;
        this.events = s.events;
        this.coordinates = s.coordinates;
        this.staged = s.staged;
        this.dedup = s.dedup;
        this.acl = s.acl;
        this.queries = s.queries;
        this.autopilot = s.autopilot;
    }

    /** The raft index being applied. */
    public long index() {
        return index;
    }

    /** The changes recorded so far, in order. */
    public List<Change> changes() {
        return changes;
    }

    /** Whether anything (including invisible bookkeeping) changed. */
    public boolean dirty() {
        return dirty || !changes.isEmpty();
    }

    /** Marks a change that publishes no event (e.g. a session renewal, a reap). */
    void markDirty() {
        dirty = true;
    }

    /** Records a change and moves its table's index. */
    void emit(Change c) {
        changes.add(c);
        tableIndex[c.table().ordinal()] = index;
    }

    /** Moves a table's index without an event. */
    void touch(Table t) {
        tableIndex[t.ordinal()] = index;
        dirty = true;
    }

    /** Freezes this working copy. */
    public State commit() {
        return new State(this);
    }

    /** A restore point. */
    Mark mark() {
        return new Mark(this);
    }

    /** Returns to a restore point taken on this Tx, dropping later changes. */
    void rollback(Mark m) {
        tableIndex = m.tableIndex.clone();
        kv = m.kv;
        tombstones = m.tombstones;
        kvReapIndex = m.kvReapIndex;
        lockDelays = m.lockDelays;
        locks = m.locks;
        nodes = m.nodes;
        nodesById = m.nodesById;
        services = m.services;
        servicesByName = m.servicesByName;
        checks = m.checks;
        sessions = m.sessions;
        sessionsByNode = m.sessionsByNode;
        serviceIndex = m.serviceIndex;
        nodeIndex = m.nodeIndex;
        events = m.events;
        coordinates = m.coordinates;
        acl = m.acl;
        queries = m.queries;
        autopilot = m.autopilot;
        while (changes.size() > m.changeCount) {
            changes.remove(changes.size() - 1);
        }
        dirty = m.dirty;
    }

    /** The maps at one moment of a Tx. */
    static final class Mark {
        final long[] tableIndex;
        final PersistentMap<String, KvEntry> kv;
        final PersistentMap<String, Long> tombstones;
        final long kvReapIndex;
        final PersistentMap<String, Long> lockDelays;
        final PersistentMap<Key2, Boolean> locks;
        final PersistentMap<String, Node> nodes;
        final PersistentMap<String, String> nodesById;
        final PersistentMap<Key2, NodeService> services;
        final PersistentMap<Key2, Integer> servicesByName;
        final PersistentMap<Key2, HealthCheck> checks;
        final PersistentMap<String, Session> sessions;
        final PersistentMap<Key2, Boolean> sessionsByNode;
        final PersistentMap<String, Long> serviceIndex;
        final PersistentMap<String, Long> nodeIndex;
        final List<EventRecord> events;
        final PersistentMap<Key2, Coordinate> coordinates;
        final AclTables acl;
        final QueryTables queries;
        final io.tribune.state.AutopilotConfig autopilot;
        final int changeCount;
        final boolean dirty;

        Mark(Tx t) {
            tableIndex = t.tableIndex.clone();
            kv = t.kv;
            tombstones = t.tombstones;
            kvReapIndex = t.kvReapIndex;
            lockDelays = t.lockDelays;
            locks = t.locks;
            nodes = t.nodes;
            nodesById = t.nodesById;
            services = t.services;
            servicesByName = t.servicesByName;
            checks = t.checks;
            sessions = t.sessions;
            sessionsByNode = t.sessionsByNode;
            serviceIndex = t.serviceIndex;
            nodeIndex = t.nodeIndex;
            events = t.events;
            coordinates = t.coordinates;
            acl = t.acl;
            queries = t.queries;
            autopilot = t.autopilot;
            changeCount = t.changes.size();
            dirty = t.dirty;
        }
    }
}
