package io.tribune.acl;

import java.util.Locale;

/**
 * The level a rule grants on a resource (Consul's {@code policy = "..."} values). Ordered by how
 * much they allow: {@link #READ} < {@link #LIST} < {@link #WRITE}; {@link #DENY} allows nothing and,
 * when policies of one token are merged, wins over every other level.
 */
public enum Access {
    /** Nothing, and it wins over any other level when policies are merged. */
    DENY,
    /** Read the resource. */
    READ,
    /** Read and list (only meaningful for KV prefixes: a recursive listing). */
    LIST,
    /** Read, list and change. */
    WRITE;

    /** The rule-language word: {@code deny}, {@code read}, {@code list}, {@code write}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this level allows reading. */
    public boolean allowsRead() {
        return this != DENY;
    }

    /** Whether this level allows listing. */
    public boolean allowsList() {
        return this == LIST || this == WRITE;
    }

    /** Whether this level allows writing. */
    public boolean allowsWrite() {
        return this == WRITE;
    }

    /**
     * The level of two rules for the same resource in two policies of one token: deny wins,
     * otherwise the larger grant (as Consul merges the policies of a token).
     */
    public static Access merge(Access a, Access b) {
        if (a == DENY || b == DENY) {
            return DENY;
        }
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /**
     * Parses a rule-language word.
     *
     * @throws RulesException naming the word when it is not one of the four
     */
    public static Access parse(String word) {
        if (word != null) {
            for (Access a : values()) {
                if (a.word().equals(word)) {
                    return a;
                }
            }
        }
        throw new RulesException("invalid policy \"" + word + "\": must be one of read, write, list, deny");
    }
}
