package io.tribune.state;

/**
 * The tables of the state store. Each keeps the raft index that last changed it
 * ({@link StateStore#tableIndex}); blocking queries on a whole table watch
 * {@link WatchTarget.TableTarget}.
 */
public enum Table {
    /** Catalog nodes, keyed by node name. */
    NODES,
    /** Service instances, keyed by node name and service id. */
    SERVICES,
    /** Health checks, keyed by node name and check id. */
    CHECKS,
    /** KV entries and their tombstones, keyed by key. */
    KVS,
    /** Sessions, keyed by id. */
    SESSIONS,
    /** User events (the most recent {@link StateStore#MAX_EVENTS}), keyed by id. */
    EVENTS,
    /** Network coordinates, keyed by node name and segment. */
    COORDINATES
}
