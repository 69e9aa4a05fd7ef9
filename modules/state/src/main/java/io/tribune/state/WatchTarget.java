package io.tribune.state;

import java.util.Objects;

/**
 * What a blocking query watches. A write wakes a waiter only when it changes the watched data:
 * the registry indexes waiters by target, so waking costs O(affected waiters), not O(all).
 */
public sealed interface WatchTarget {

    /** One KV key ({@code GET /v1/kv/<key>}). */
    record KvKey(String key) implements WatchTarget {
        /** Checks the key is present. */
        public KvKey {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Every KV key starting with {@code prefix} ({@code ?recurse} and {@code ?keys}); an empty
     * prefix watches the whole KV table.
     */
    record KvPrefix(String prefix) implements WatchTarget {
        /** Checks the prefix is present. */
        public KvPrefix {
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /** Any change to a table ({@code /v1/catalog/nodes}, {@code /v1/session/list}, ...). */
    record TableTarget(Table table) implements WatchTarget {
        /** Checks the table is present. */
        public TableTarget {
            Objects.requireNonNull(table, "table");
        }
    }

    /**
     * One service name: its instances, their checks, and the nodes and node checks under them
     * ({@code /v1/catalog/service/<name>}, {@code /v1/health/service/<name>}).
     */
    record Service(String name) implements WatchTarget {
        /** Checks the name is present. */
        public Service {
            Objects.requireNonNull(name, "name");
        }
    }

    /** One node: the node, its services and its checks ({@code /v1/catalog/node/<node>}). */
    record Node(String name) implements WatchTarget {
        /** Checks the name is present. */
        public Node {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Shorthand for {@link KvKey}. */
    static WatchTarget kvKey(String key) {
        return new KvKey(key);
    }

    /** Shorthand for {@link KvPrefix}. */
    static WatchTarget kvPrefix(String prefix) {
        return new KvPrefix(prefix);
    }

    /** Shorthand for {@link TableTarget}. */
    static WatchTarget table(Table table) {
        return new TableTarget(table);
    }
}
