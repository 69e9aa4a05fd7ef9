package io.tribune.state;

import java.util.Objects;

/**
 * One typed event of the change feed: a row of a table was written or removed at a raft index.
 *
 * <p>Every committed write publishes its changes, in order, to blocking-query waiters
 * ({@link StateStore#watch}) and to feed subscribers ({@link StateStore#subscribe}).
 *
 * @param index   the raft index of the write
 * @param table   the table changed
 * @param op      whether the row was written or removed
 * @param key     the row's key: the KV key, node name, service id, check id, session id, event
 *                id, or coordinate node
 * @param node    the node the row belongs to, or "" (KV, events)
 * @param service the service name the change affects, or "" (for a node-level change that
 *                affects the health of every service on the node, one change per service name
 *                is published)
 */
public record Change(long index, Table table, Op op, String key, String node, String service) {

    /** What happened to the row. */
    public enum Op {
        /** Created or updated. */
        UPSERT,
        /** Deleted (for KV, a tombstone remains until reaped). */
        DELETE
    }

    /** Checks the fields are present. */
    public Change {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(service, "service");
    }

    /** A KV change. */
    public static Change kv(long index, Op op, String key) {
        return new Change(index, Table.KVS, op, key, "", "");
    }
}
