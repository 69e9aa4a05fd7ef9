package io.tribune.acl;

/**
 * The resources of the rule language that are named: each has an exact rule ({@code key "a"}) and
 * a prefix rule ({@code key_prefix "a"}). The three unnamed resources ({@code keyring},
 * {@code operator}, {@code acl}) take a single level and are fields of {@link Rules}.
 */
public enum Resource {
    /** KV entries, by key ({@code key}, {@code key_prefix}). */
    KEY("key"),
    /** Services, by name ({@code service}, {@code service_prefix}). */
    SERVICE("service"),
    /** Catalog nodes, by name ({@code node}, {@code node_prefix}). */
    NODE("node"),
    /** Sessions, by the node they belong to ({@code session}, {@code session_prefix}). */
    SESSION("session"),
    /** User events, by name ({@code event}, {@code event_prefix}). */
    EVENT("event"),
    /** Prepared queries, by name ({@code query}, {@code query_prefix}). */
    QUERY("query"),
    /** Agents' own endpoints, by node name ({@code agent}, {@code agent_prefix}). */
    AGENT("agent");

    private final String word;

    Resource(String word) {
        this.word = word;
    }

    /** The exact rule's keyword, e.g. {@code key}; the prefix rule's is this plus {@code _prefix}. */
    public String word() {
        return word;
    }

    /** The prefix rule's keyword, e.g. {@code key_prefix}. */
    public String prefixWord() {
        return word + "_prefix";
    }
}
