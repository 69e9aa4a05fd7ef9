package io.tribune.storage.memory.internal;

import io.tribune.api.storage.StableStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Small values in a sorted map. A batch is validated in full before any value changes, and applied
 * under one lock, so readers never see half of it.
 */
final class InMemoryStableStore implements StableStore {
    /** Key bound from the {@link StableStore} contract. */
    static final int MAX_KEY_CHARS = 256;
    /** Value bound from the {@link StableStore} contract. */
    static final int MAX_VALUE_BYTES = 1 << 20;

    private final InMemoryStorage.Lifecycle lifecycle;
    private final TreeMap<String, byte[]> values = new TreeMap<>();

    InMemoryStableStore(InMemoryStorage.Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public synchronized Optional<byte[]> get(String key) {
        lifecycle.check();
        validateKey(key);
        byte[] v = values.get(key);
        // A copy: the caller may scribble on what it gets without changing the store.
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public void put(Map<String, byte[]> batch) {
        lifecycle.check();
        Objects.requireNonNull(batch, "values");
        Map<String, byte[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : batch.entrySet()) {
            String key = e.getKey();
            validateKey(key);
            byte[] v = e.getValue();
            if (v != null && v.length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("stable value for '" + key + "' has " + v.length
                        + " bytes, above the limit of " + MAX_VALUE_BYTES);
            }
            copy.put(key, v == null ? null : v.clone());
        }
        synchronized (this) {
            lifecycle.check();
            copy.forEach((k, v) -> {
                if (v == null) {
                    values.remove(k);
                } else {
                    values.put(k, v);
                }
            });
        }
    }

    static void validateKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("stable key must be a non-empty string");
        }
        if (key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException("stable key of " + key.length() + " characters is above the limit of "
                    + MAX_KEY_CHARS);
        }
    }
}
