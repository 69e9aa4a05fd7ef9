package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random KV command sequences checked against a plain model of Consul's semantics, with two
 * properties on top: every key and prefix index a client could see never goes backwards (across
 * deletes and tombstone reaps), and a failed transaction leaves no trace.
 */
class KvModelTest {
    private static final String[] KEYS = {"a", "a/b", "a/c", "a/b/c", "b", "b/x", "c/y/z"};
    private static final String[] PREFIXES = {"", "a", "a/", "a/b", "b/", "c/", "d/"};

    private record Row(String value, long create, long modify) {
    }

    @Test
    void randomSequencesMatchTheModelAndIndexesNeverGoBack() {
        for (long seed = 1; seed <= 20; seed++) {
            run(seed);
        }
    }

    private void run(long seed) {
        Random rnd = new Random(seed);
        Harness h = new Harness();
        TreeMap<String, Row> model = new TreeMap<>();
        Map<String, Long> lastSeen = new TreeMap<>();
        for (int step = 0; step < 400; step++) {
            String key = KEYS[rnd.nextInt(KEYS.length)];
            String value = "v" + step;
            long next = h.index + 1;
            Row row = model.get(key);
            int op = rnd.nextInt(7);
            String ctx = "seed " + seed + " step " + step + " op " + op + " key " + key;
            switch (op) {
                case 0 -> {
                    assertTrue(h.put(key, value), ctx);
                    model.put(key, new Row(value, row == null ? next : row.create(), next));
                }
                case 1 -> {
                    long cas = row == null ? (rnd.nextBoolean() ? 0 : 3) : (rnd.nextBoolean() ? row.modify() : 0);
                    boolean expect = cas == 0 ? row == null : row != null && row.modify() == cas;
                    assertEquals(expect, h.cas(key, value, cas), ctx);
                    if (expect) {
                        model.put(key, new Row(value, row == null ? next : row.create(), next));
                    }
                }
                case 2 -> {
                    assertTrue(h.delete(key), ctx);
                    model.remove(key);
                }
                case 3 -> {
                    String prefix = PREFIXES[rnd.nextInt(PREFIXES.length)];
                    h.run(new Command.KvDeleteTree(prefix));
                    model.keySet().removeIf(k -> k.startsWith(prefix));
                }
                case 4 -> {
                    // A transaction that fails on its last op must leave no trace.
                    List<TxnOp> ops = new ArrayList<>();
                    ops.add(new TxnOp(TxnOp.Verb.SET, key, value.getBytes(StandardCharsets.UTF_8), 0, 0, ""));
                    ops.add(TxnOp.of(TxnOp.Verb.DELETE_TREE, "a"));
                    ops.add(TxnOp.of(TxnOp.Verb.GET, "no-such-key"));
                    CommandResult.TxnOutcome r = (CommandResult.TxnOutcome) h.run(new Command.KvTxn(ops, 0));
                    assertEquals(1, r.errors().size(), ctx);
                }
                case 5 -> {
                    long upTo = rnd.nextInt((int) h.index + 1);
                    h.run(new Command.TombstoneReap(upTo, 0));
                }
                default -> {
                    long cas = row == null ? 1 : (rnd.nextBoolean() ? row.modify() : row.modify() + 1);
                    boolean expect = row == null || row.modify() == cas;
                    assertEquals(expect, Harness.bool(h.run(new Command.KvDelete(key, OptionalLong.of(cas)))), ctx);
                    if (expect) {
                        model.remove(key);
                    }
                }
            }
            List<KvEntry> all = h.store.kvList("").value();
            assertEquals(new ArrayList<>(model.keySet()), all.stream().map(KvEntry::key).toList(), ctx);
            for (KvEntry e : all) {
                Row m = model.get(e.key());
                assertEquals(m.value(), new String(e.value(), StandardCharsets.UTF_8), ctx);
                assertEquals(m.create(), e.createIndex(), ctx);
                assertEquals(m.modify(), e.modifyIndex(), ctx);
            }
            for (String k : KEYS) {
                checkMonotonic(lastSeen, "key:" + k, h.store.kvGet(k).index(), ctx);
            }
            for (String p : PREFIXES) {
                checkMonotonic(lastSeen, "prefix:" + p, h.store.kvList(p).index(), ctx);
            }
        }
    }

    private static void checkMonotonic(Map<String, Long> lastSeen, String what, long now, String ctx) {
        Long before = lastSeen.put(what, now);
        if (before != null && now < before) {
            throw new AssertionError(ctx + ": " + what + " index went back from " + before + " to " + now);
        }
    }
}
