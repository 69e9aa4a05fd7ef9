package io.tribune.state.internal;

import io.tribune.state.Change;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandResult.Failed.Kind;
import io.tribune.state.CommandResult.TxnError;
import io.tribune.state.KvEntry;
import io.tribune.state.Session;
import io.tribune.state.Table;
import io.tribune.state.TxnOp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** KV writes on a {@link Tx}, with Consul's KV semantics. Deterministic; apply thread only. */
final class KvOps {
    private KvOps() {
    }

    /** Write, keeping an existing lock; CAS 0 means create-only. */
    static boolean set(Tx tx, String key, byte[] value, long flags, OptionalLong cas) {
        // One descent of the KV tree finds the entry, checks the CAS and replaces it (the hottest
        // path of a write: see PersistentMap.update).
        boolean[] refused = new boolean[1];
        tx.kv = tx.kv.update(key, existing -> {
            if (cas.isPresent()) {
                long want = cas.getAsLong();
                if (want == 0 ? existing != null : existing == null || existing.modifyIndex() != want) {
                    refused[0] = true;
                    return existing;
                }
            }
            return existing == null
                    ? new KvEntry(key, tx.index, tx.index, 0, flags, value, "")
                    : new KvEntry(key, existing.createIndex(), tx.index, existing.lockIndex(), flags, value,
                            existing.session());
        });
        if (refused[0]) {
            return false;
        }
        upserted(tx, key);
        return true;
    }

    private static void put(Tx tx, KvEntry e) {
        tx.kv = tx.kv.put(e.key(), e);
        upserted(tx, e.key());
    }

    private static void upserted(Tx tx, String key) {
        // A live key needs no tombstone: its ModifyIndex is newer than the tombstone's.
        tx.tombstones = tx.tombstones.remove(key);
        tx.emit(Change.kv(tx.index, Change.Op.UPSERT, key));
    }

    /** Delete; true when deleted or absent, false on a CAS mismatch. */
    static boolean delete(Tx tx, String key, OptionalLong cas) {
        KvEntry existing = tx.kv.get(key);
        if (existing == null) {
            return true;
        }
        if (cas.isPresent() && existing.modifyIndex() != cas.getAsLong()) {
            return false;
        }
        remove(tx, existing);
        return true;
    }

    private static void remove(Tx tx, KvEntry existing) {
        tx.kv = tx.kv.remove(existing.key());
        if (existing.locked()) {
            tx.locks = tx.locks.remove(new Key2(existing.session(), existing.key()));
        }
        // The tombstone keeps the prefix's index moving so blocking queries on it wake and report
        // a higher index than any entry that was there.
        tx.tombstones = tx.tombstones.put(existing.key(), tx.index);
        tx.emit(Change.kv(tx.index, Change.Op.DELETE, existing.key()));
    }

    /** Delete everything under a prefix; returns how many keys were deleted. */
    static int deleteTree(Tx tx, String prefix) {
        List<KvEntry> doomed = list(tx.kv, prefix);
        for (KvEntry e : doomed) {
            remove(tx, e);
        }
        return doomed.size();
    }

    /** Entries under {@code prefix}, in key order. */
    static List<KvEntry> list(PersistentMap<String, KvEntry> kv, String prefix) {
        List<KvEntry> out = new ArrayList<>();
        Iterator<Map.Entry<String, KvEntry>> it = kv.iteratorFrom(prefix);
        while (it.hasNext()) {
            Map.Entry<String, KvEntry> e = it.next();
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }

    /**
     * Acquire. Returns Bool, or Failed when the session does not exist. The lock-delay rule:
     * after a session holding the key is invalidated, no session may take it until the delay
     * expires (Chubby §2.4's lock-delay, as Consul applies it), judged on the proposer's clock.
     */
    static CommandResult acquire(Tx tx, String key, byte[] value, long flags, String session, long nowMillis) {
        if (tx.sessions.get(session) == null) {
            return new CommandResult.Failed(Kind.REJECTED, "invalid session \"" + session + "\"");
        }
        Long delayUntil = tx.lockDelays.get(key);
        if (delayUntil != null && nowMillis < delayUntil) {
            return new CommandResult.Bool(false);
        }
        KvEntry existing = tx.kv.get(key);
        if (existing != null && existing.locked()) {
            if (!existing.session().equals(session)) {
                return new CommandResult.Bool(false);
            }
            put(tx, new KvEntry(key, existing.createIndex(), tx.index, existing.lockIndex(), flags, value, session));
            return new CommandResult.Bool(true);
        }
        KvEntry e = existing == null
                ? new KvEntry(key, tx.index, tx.index, 1, flags, value, session)
                : new KvEntry(key, existing.createIndex(), tx.index, existing.lockIndex() + 1, flags, value, session);
        put(tx, e);
        tx.locks = tx.locks.put(new Key2(session, key), Boolean.TRUE);
        return new CommandResult.Bool(true);
    }

    /** Release: false unless {@code session} holds the key. */
    static boolean release(Tx tx, String key, byte[] value, long flags, String session) {
        KvEntry existing = tx.kv.get(key);
        if (existing == null || !existing.session().equals(session)) {
            return false;
        }
        put(tx, new KvEntry(key, existing.createIndex(), tx.index, existing.lockIndex(), flags, value, ""));
        tx.locks = tx.locks.remove(new Key2(session, key));
        return true;
    }

    /**
     * Invalidation of a session's locks: behaviour release clears Session on each held key,
     * behaviour delete deletes the keys; either way a lock-delay starts at {@code nowMillis}.
     */
    static void releaseAllOf(Tx tx, Session s, long nowMillis) {
        List<String> held = new ArrayList<>();
        Iterator<Map.Entry<Key2, Boolean>> it = tx.locks.iteratorFrom(Key2.first(s.id()));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(s.id())) {
                break;
            }
            held.add(k.b());
        }
        for (String key : held) {
            KvEntry e = tx.kv.get(key);
            if (e == null) {
                continue;
            }
            switch (s.behavior()) {
                case DELETE -> remove(tx, e);
                case RELEASE -> {
                    put(tx, new KvEntry(key, e.createIndex(), tx.index, e.lockIndex(), e.flags(), e.value(), ""));
                    tx.locks = tx.locks.remove(new Key2(s.id(), key));
                }
            }
            if (s.lockDelayMillis() > 0) {
                long until = nowMillis > Long.MAX_VALUE - s.lockDelayMillis() ? Long.MAX_VALUE
                        : nowMillis + s.lockDelayMillis();
                tx.lockDelays = tx.lockDelays.put(key, until);
            }
        }
    }

    /** Reap tombstones up to an index and lock-delays expired by a time. */
    static long reap(Tx tx, long upToIndex, long nowMillis) {
        long removed = 0;
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, Long> e : tx.tombstones) {
            if (e.getValue() <= upToIndex) {
                gone.add(e.getKey());
            }
        }
        for (String k : gone) {
            tx.tombstones = tx.tombstones.remove(k);
        }
        removed += gone.size();
        List<String> expired = new ArrayList<>();
        for (Map.Entry<String, Long> e : tx.lockDelays) {
            if (e.getValue() <= nowMillis) {
                expired.add(e.getKey());
            }
        }
        for (String k : expired) {
            tx.lockDelays = tx.lockDelays.remove(k);
        }
        if (!gone.isEmpty()) {
            // Reported indexes must not go backwards once the tombstone that carried a prefix's
            // highest index is gone: reads use max(entries, kvReapIndex) from now on. No event is
            // published because no visible data changed.
            tx.kvReapIndex = tx.index;
            tx.touch(Table.KVS);
        }
        if (!expired.isEmpty()) {
            tx.markDirty();
        }
        return removed;
    }

    /** Applies a transaction: all operations or none. */
    static CommandResult.TxnOutcome txn(Tx tx, List<TxnOp> ops, long nowMillis) {
        Tx.Mark mark = tx.mark();
        List<KvEntry> results = new ArrayList<>();
        List<TxnError> errors = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            TxnOp op = ops.get(i);
            String err = txnOp(tx, op, nowMillis, results);
            if (err != null) {
                errors.add(new TxnError(i, err));
            }
        }
        if (!errors.isEmpty()) {
            tx.rollback(mark);
            return new CommandResult.TxnOutcome(List.of(), errors);
        }
        return new CommandResult.TxnOutcome(results, List.of());
    }

    /** One operation; returns an error message or null. */
    private static String txnOp(Tx tx, TxnOp op, long nowMillis, List<KvEntry> results) {
        String key = op.key();
        switch (op.verb()) {
            case SET -> {
                set(tx, key, op.value(), op.flags(), OptionalLong.empty());
                results.add(tx.kv.get(key).withoutValue());
                return null;
            }
            case CAS -> {
                if (!set(tx, key, op.value(), op.flags(), OptionalLong.of(op.index()))) {
                    return "failed to set key \"" + key + "\": index " + op.index() + " is stale";
                }
                results.add(tx.kv.get(key).withoutValue());
                return null;
            }
            case LOCK -> {
                CommandResult r = acquire(tx, key, op.value(), op.flags(), op.session(), nowMillis);
                if (r instanceof CommandResult.Failed f) {
                    return f.message();
                }
                if (!((CommandResult.Bool) r).value()) {
                    return "failed to lock key \"" + key + "\": already held or in lock-delay";
                }
                results.add(tx.kv.get(key).withoutValue());
                return null;
            }
            case UNLOCK -> {
                if (!release(tx, key, op.value(), op.flags(), op.session())) {
                    return "failed to unlock key \"" + key + "\": not held by session " + op.session();
                }
                results.add(tx.kv.get(key).withoutValue());
                return null;
            }
            case GET -> {
                KvEntry e = tx.kv.get(key);
                if (e == null) {
                    return "key \"" + key + "\" does not exist";
                }
                results.add(e);
                return null;
            }
            case GET_TREE -> {
                results.addAll(list(tx.kv, key));
                return null;
            }
            case CHECK_INDEX -> {
                KvEntry e = tx.kv.get(key);
                if (e == null || e.modifyIndex() != op.index()) {
                    return "key \"" + key + "\" index check failed: expected " + op.index() + ", found "
                            + (e == null ? "no key" : Long.toString(e.modifyIndex()));
                }
                return null;
            }
            case CHECK_SESSION -> {
                KvEntry e = tx.kv.get(key);
                if (e == null || !e.session().equals(op.session())) {
                    return "key \"" + key + "\" is not locked by session " + op.session();
                }
                return null;
            }
            case CHECK_NOT_EXISTS -> {
                return tx.kv.get(key) != null ? "key \"" + key + "\" exists" : null;
            }
            case DELETE -> {
                delete(tx, key, OptionalLong.empty());
                return null;
            }
            case DELETE_TREE -> {
                deleteTree(tx, key);
                return null;
            }
            case DELETE_CAS -> {
                if (!delete(tx, key, OptionalLong.of(op.index()))) {
                    return "failed to delete key \"" + key + "\": index " + op.index() + " is stale";
                }
                return null;
            }
            default -> throw new IllegalStateException("unhandled verb " + op.verb());
        }
    }
}
