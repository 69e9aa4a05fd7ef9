package io.tribune.state;

import java.util.Objects;

/**
 * One KV operation of a {@link Command.KvTxn}, with the verbs of Consul's {@code /v1/txn}.
 *
 * @param verb    what to do
 * @param key     the key (or prefix for {@link Verb#GET_TREE} and {@link Verb#DELETE_TREE})
 * @param value   the value for writes; never null (empty when unused); the record keeps a copy
 * @param flags   flags for writes
 * @param index   the expected ModifyIndex for {@link Verb#CAS}, {@link Verb#DELETE_CAS} and
 *                {@link Verb#CHECK_INDEX}; unused otherwise
 * @param session the session for {@link Verb#LOCK}, {@link Verb#UNLOCK},
 *                {@link Verb#CHECK_SESSION}; "" otherwise
 */
public record TxnOp(Verb verb, String key, byte[] value, long flags, long index, String session) {

    /** Consul's KV verbs; {@link #wire()} gives the JSON spelling. */
    public enum Verb {
        /** Write unconditionally. */
        SET("set"),
        /** Write if ModifyIndex equals {@code index} (0: only if absent). */
        CAS("cas"),
        /** Acquire with {@code session}. */
        LOCK("lock"),
        /** Release {@code session}'s lock. */
        UNLOCK("unlock"),
        /** Read one key; fails the transaction when absent. */
        GET("get"),
        /** Read every key under a prefix. */
        GET_TREE("get-tree"),
        /** Fail unless ModifyIndex equals {@code index}. */
        CHECK_INDEX("check-index"),
        /** Fail unless {@code session} holds the key. */
        CHECK_SESSION("check-session"),
        /** Fail if the key exists. */
        CHECK_NOT_EXISTS("check-not-exists"),
        /** Delete unconditionally. */
        DELETE("delete"),
        /** Delete every key under a prefix. */
        DELETE_TREE("delete-tree"),
        /** Delete if ModifyIndex equals {@code index}. */
        DELETE_CAS("delete-cas");

        private final String wire;

        Verb(String wire) {
            this.wire = wire;
        }

        /** The verb as Consul spells it in JSON. */
        public String wire() {
            return wire;
        }

        /** Parses Consul's spelling; throws {@link IllegalArgumentException} naming the verb. */
        public static Verb fromWire(String s) {
            for (Verb v : values()) {
                if (v.wire.equals(s)) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown KV transaction verb '" + s + "'");
        }

        /** Whether the verb writes. */
        public boolean writes() {
            return switch (this) {
                case SET, CAS, LOCK, UNLOCK, DELETE, DELETE_TREE, DELETE_CAS -> true;
                default -> false;
            };
        }
    }

    /** Copies the value and replaces nulls with empty values. */
    public TxnOp {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(key, "key");
        value = value == null ? new byte[0] : value.clone();
        session = session == null ? "" : session;
    }

    /** A copy of the value. */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** An op with only a verb and key. */
    public static TxnOp of(Verb verb, String key) {
        return new TxnOp(verb, key, null, 0, 0, "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TxnOp t && verb == t.verb && key.equals(t.key) && java.util.Arrays.equals(value, t.value)
                && flags == t.flags && index == t.index && session.equals(t.session);
    }

    @Override
    public int hashCode() {
        return Objects.hash(verb, key, java.util.Arrays.hashCode(value), flags, index, session);
    }

    @Override
    public String toString() {
        return "TxnOp[" + verb.wire() + " " + key + ", " + value.length + " bytes, flags=" + flags + ", index="
                + index + ", session=" + session + "]";
    }
}
