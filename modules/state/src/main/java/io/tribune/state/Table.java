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
    COORDINATES,
    /** ACL policies, keyed by ID. Its index travels in the snapshot's ACL section. */
    ACL_POLICIES,
    /** ACL tokens, keyed by AccessorID. Its index travels in the snapshot's ACL section. */
    ACL_TOKENS,
    /** Prepared queries, keyed by ID. Its index travels in the snapshot's prepared-query section. */
    PREPARED_QUERIES;

    /** Whether the table holds ACL data (its index is written with the ACL tables, not with the others). */
    public boolean isAcl() {
        return this == ACL_POLICIES || this == ACL_TOKENS;
    }

    /**
     * Whether the table's index is written in a snapshot section of its own (ACL, prepared
     * queries) rather than with the first tables, so that snapshots of clusters that never used
     * them keep their older versions byte for byte.
     */
    public boolean hasOwnSnapshotSection() {
        return isAcl() || this == PREPARED_QUERIES;
    }
}
