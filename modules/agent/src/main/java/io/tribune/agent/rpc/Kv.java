package io.tribune.agent.rpc;

import io.tribune.state.KvEntry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The KV store's operations (Consul's {@code KVS.*} endpoints). Writes answer {@code true} when
 * they took effect and {@code false} when a check-and-set, lock acquisition or release did not hold
 * (not an error, as Consul's HTTP API answers {@code false}).
 */
public final class Kv {
    private Kv() {
    }

    /** The entry at {@code key}, if any. Blocking queries watch the key. */
    public record Get(String key) implements Op.Read<Optional<KvEntry>> {
        public Get {
            Fields.key(key);
        }
    }

    /** Every entry under {@code prefix} ("" for all), in key order. Blocking queries watch the prefix. */
    public record Entries(String prefix) implements Op.Read<List<KvEntry>> {
        public Entries {
            Fields.prefix(prefix);
        }
    }

    /**
     * The keys under {@code prefix}, in order; with a {@code separator}, keys are cut after the first
     * separator past the prefix and repeated cuts listed once (Consul's {@code ?keys&separator=}).
     */
    public record Keys(String prefix, String separator) implements Op.Read<List<String>> {
        public Keys {
            Fields.prefix(prefix);
            Fields.prefix(separator);
        }
    }

    /** Sets {@code key}; with {@code cas}, only if its modify index is that (0: only if absent). */
    public record Set(String key, byte[] value, long flags, OptionalLong cas) implements Op.Write<Boolean> {
        public Set {
            Fields.key(key);
            Fields.value(value);
            Objects.requireNonNull(cas, "cas");
        }
    }

    /** Deletes {@code key}; with {@code cas}, only if its modify index is that. */
    public record Delete(String key, OptionalLong cas) implements Op.Write<Boolean> {
        public Delete {
            Fields.key(key);
            Objects.requireNonNull(cas, "cas");
        }
    }

    /** Deletes every key under {@code prefix} ("" deletes everything). */
    public record DeleteTree(String prefix) implements Op.Write<Boolean> {
        public DeleteTree {
            Fields.prefix(prefix);
        }
    }

    /** Sets {@code key} and locks it for {@code session}, unless another session holds it. */
    public record Acquire(String key, byte[] value, long flags, String session) implements Op.Write<Boolean> {
        public Acquire {
            Fields.key(key);
            Fields.value(value);
            Fields.sessionId(session);
        }
    }

    /** Sets {@code key} and unlocks it, if {@code session} holds it. */
    public record Release(String key, byte[] value, long flags, String session) implements Op.Write<Boolean> {
        public Release {
            Fields.key(key);
            Fields.value(value);
            Fields.sessionId(session);
        }
    }
}
