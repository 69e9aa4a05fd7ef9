package io.tribune.state;

import java.util.Objects;

/**
 * A read result together with the index to report as {@code X-Consul-Index}.
 *
 * <p>The index is the raft index that last changed the data the read covers (or, when the data
 * is absent, the index of its table), and it never goes backwards for the same read between
 * restores. A blocking query passes it back to {@link StateStore#watch} as {@code afterIndex}.
 *
 * @param index the index to report; at least 1 once anything was applied
 * @param value the data read (immutable)
 * @param <T>   the data type
 */
public record Indexed<T>(long index, T value) {
    /** Checks the value is present. */
    public Indexed {
        Objects.requireNonNull(value, "value");
    }
}
