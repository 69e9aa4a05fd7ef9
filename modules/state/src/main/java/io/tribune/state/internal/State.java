package io.tribune.state.internal;

import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.Session;
import io.tribune.state.Table;
import java.util.List;

/**
 * One immutable version of the whole state, as of {@link #index}. The store publishes a new
 * version per applied command through a volatile reference: readers take one reference and see
 * a consistent state without locks, and a snapshot is that reference.
 *
 * <p>Derived indexes ({@code locks}, {@code sessionsByNode}, {@code servicesByName},
 * {@code nodesById}) are kept in
 * step by {@link Tx} and rebuilt on restore, never serialized.
 */
public final class State {
    /** Last applied raft index. */
    public final long index;
    /** Per-table index, by {@link Table#ordinal()}; never mutated after construction. */
    final long[] tableIndex;
    /** KV entries by key. */
    public final PersistentMap<String, KvEntry> kv;
    /** KV tombstones: deleted key to the index that deleted it. */
    public final PersistentMap<String, Long> tombstones;
    /** Index of the last tombstone reap; reported indexes never fall below it after a reap. */
    public final long kvReapIndex;
    /** Lock-delay expiry (proposer wall millis) by key. */
    public final PersistentMap<String, Long> lockDelays;
    /** (session id, key) for every held lock. */
    public final PersistentMap<Key2, Boolean> locks;
    /** Nodes by name. */
    public final PersistentMap<String, Node> nodes;
    /** Node name by node ID, for nodes registered with an ID. */
    public final PersistentMap<String, String> nodesById;
    /** Service instances by (node, service id). */
    public final PersistentMap<Key2, NodeService> services;
    /** (service name, node) to the number of instances of the name on the node. */
    public final PersistentMap<Key2, Integer> servicesByName;
    /** Checks by (node, check id). */
    public final PersistentMap<Key2, HealthCheck> checks;
    /** Sessions by id. */
    public final PersistentMap<String, Session> sessions;
    /** (node, session id) for every session. */
    public final PersistentMap<Key2, Boolean> sessionsByNode;
    /** Index that last changed anything under a service name, for names that exist. */
    public final PersistentMap<String, Long> serviceIndex;
    /** Index that last changed a node, its services or checks, for nodes that exist. */
    public final PersistentMap<String, Long> nodeIndex;
    /** The most recent user events, oldest first. */
    public final List<EventRecord> events;
    /** Coordinates by (node, segment). */
    public final PersistentMap<Key2, Coordinate> coordinates;
    /** The restore being staged through the log, or null. */
    public final StagedRestore staged;
    /** Recent client requests and their results, for applying each request at most once. */
    public final DedupTable dedup;
    /** ACL policies and tokens. */
    public final AclTables acl;
    /** Prepared queries. */
    public final QueryTables queries;
    /** The stored autopilot configuration, null until one was stored. */
    public final io.tribune.state.AutopilotConfig autopilot;

    State(Tx t) {
        this.index = t.index;
        this.tableIndex = t.tableIndex.clone();
        this.kv = t.kv;
        this.tombstones = t.tombstones;
        this.kvReapIndex = t.kvReapIndex;
        this.lockDelays = t.lockDelays;
        this.locks = t.locks;
        this.nodes = t.nodes;
        this.nodesById = t.nodesById;
        this.services = t.services;
        this.servicesByName = t.servicesByName;
        this.checks = t.checks;
        this.sessions = t.sessions;
        this.sessionsByNode = t.sessionsByNode;
        this.serviceIndex = t.serviceIndex;
        this.nodeIndex = t.nodeIndex;
        this.events = List.copyOf(t.events);
        this.coordinates = t.coordinates;
        this.staged = t.staged;
        this.dedup = t.dedup;
        this.acl = t.acl;
        this.queries = t.queries;
        this.autopilot = t.autopilot;
    }

    /** The empty state at index 0. */
    public static State empty() {
        return new State(new Tx());
    }

    /** The index of {@code table}. */
    public long tableIndex(Table table) {
        return tableIndex[table.ordinal()];
    }

    /** This state with only the applied index moved (a command that changed nothing). */
    public State withIndex(long newIndex) {
        Tx t = new Tx(this, newIndex);
        return new State(t);
    }

    /** This state (at its own index) with {@code table} as its dedup table, everything else unchanged. */
    public State withDedup(DedupTable table) {
        Tx t = new Tx(this, index);
        t.dedup = table;
        return new State(t);
    }

    /** This state at {@code newIndex} with {@code restore} staged (null: none), tables unchanged. */
    public State withStaged(long newIndex, StagedRestore restore) {
        Tx t = new Tx(this, newIndex);
        t.staged = restore;
        return new State(t);
    }
}
