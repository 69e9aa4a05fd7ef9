package io.tribune.api.storage;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;

/**
 * Small durable values keyed by name: the current term, the vote, the bootstrap marker.
 *
 * <p>Thread-safe. {@link #put(Map)} is atomic: after a crash either every value of the batch is
 * visible or none is. For a durable store it returns only once the batch is fsynced. Keys are at
 * most 256 characters; values at most 1 MiB.
 */
public interface StableStore {

    /** The value stored under {@code key}, or empty. */
    Optional<byte[]> get(String key);

    /**
     * Stores every entry of {@code values} atomically; a {@code null} value deletes its key. The
     * store keeps copies: the caller may reuse its arrays afterwards.
     *
     * @throws IllegalArgumentException for an empty or over-long key or an over-long value; nothing is stored
     */
    void put(Map<String, byte[]> values);

    /** Stores one value. */
    default void put(String key, byte[] value) {
        put(java.util.Collections.singletonMap(key, value));
    }

    /** The long stored under {@code key} with {@link #putLong}, or {@code defaultValue}. */
    default long getLong(String key, long defaultValue) {
        return get(key).map(b -> {
            if (b.length != 8) {
                throw new CorruptionException("stable key '" + key + "' holds " + b.length + " bytes, expected 8");
            }
            return ByteBuffer.wrap(b).getLong();
        }).orElse(defaultValue);
    }

    /** Stores a long under {@code key}. */
    default void putLong(String key, long value) {
        put(key, ByteBuffer.allocate(8).putLong(value).array());
    }
}
