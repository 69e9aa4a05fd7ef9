package io.tribune.state;

import java.util.Arrays;
import java.util.Objects;

/**
 * One KV entry, with the fields of Consul's {@code /v1/kv} JSON.
 *
 * @param key         the key ({@code Key})
 * @param createIndex index that created the key ({@code CreateIndex})
 * @param modifyIndex index that last changed it ({@code ModifyIndex}); the CAS token
 * @param lockIndex   how many times a session acquired it ({@code LockIndex})
 * @param flags       opaque 64-bit client flags ({@code Flags}, an unsigned integer in JSON)
 * @param value       the raw value ({@code Value}, base64 in JSON); never null, may be empty;
 *                    the record keeps its own copy and hands out copies
 * @param session     id of the session holding the lock ({@code Session}), or "" when unlocked
 */
public record KvEntry(String key, long createIndex, long modifyIndex, long lockIndex, long flags,
                      byte[] value, String session) {

    /** Copies the value so the entry stays immutable. */
    public KvEntry {
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        session = session == null ? "" : session;
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** Size of the value in bytes, without copying it. */
    public int valueLength() {
        return value.length;
    }

    /** Whether a session holds the key. */
    public boolean locked() {
        return !session.isEmpty();
    }

    /** The same entry without its value (what Consul's txn results for writes carry). */
    public KvEntry withoutValue() {
        return new KvEntry(key, createIndex, modifyIndex, lockIndex, flags, null, session);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvEntry e && key.equals(e.key) && createIndex == e.createIndex
                && modifyIndex == e.modifyIndex && lockIndex == e.lockIndex && flags == e.flags
                && Arrays.equals(value, e.value) && session.equals(e.session);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, createIndex, modifyIndex, lockIndex, flags, Arrays.hashCode(value), session);
    }

    @Override
    public String toString() {
        return "KvEntry[key=" + key + ", createIndex=" + createIndex + ", modifyIndex=" + modifyIndex
                + ", lockIndex=" + lockIndex + ", flags=" + flags + ", value=" + value.length
                + " bytes, session=" + session + "]";
    }
}
