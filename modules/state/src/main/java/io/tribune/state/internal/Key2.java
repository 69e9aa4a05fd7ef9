package io.tribune.state.internal;

import java.util.Comparator;
import java.util.Objects;

/**
 * A two-part table key, ordered by its first then its second part, so a range scan from
 * {@code (a, "")} visits every row whose first part is {@code a} (e.g. all services of a node)
 * without any separator character that a user-chosen name could contain.
 *
 * @param a first part
 * @param b second part
 */
public record Key2(String a, String b) implements Comparable<Key2> {
    private static final Comparator<Key2> ORDER = Comparator.comparing(Key2::a).thenComparing(Key2::b);

    /** Checks both parts are present. */
    public Key2 {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
    }

    /** The smallest key whose first part is {@code a}. */
    public static Key2 first(String a) {
        return new Key2(a, "");
    }

    @Override
    public int compareTo(Key2 o) {
        return ORDER.compare(this, o);
    }
}
