package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.TxnOp.Verb;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvTxnTest {
    private final Harness h = new Harness();

    private static TxnOp set(String k, String v) {
        return new TxnOp(Verb.SET, k, bytes(v), 0, 0, "");
    }

    private CommandResult.TxnOutcome txn(TxnOp... ops) {
        return (CommandResult.TxnOutcome) h.run(new Command.KvTxn(List.of(ops), 0));
    }

    @Test
    void successfulTransactionAppliesEveryOpAtOneIndex() {
        h.put("x", "old");
        CommandResult.TxnOutcome r = txn(set("a", "1"), set("b", "2"), TxnOp.of(Verb.GET, "x"),
                TxnOp.of(Verb.DELETE, "x"));
        assertTrue(r.committed());
        assertEquals(List.of("a", "b", "x"), r.results().stream().map(KvEntry::key).toList());
        assertEquals(0, r.results().get(0).valueLength(), "write results carry no value");
        assertEquals("old", new String(r.results().get(2).value()), "get results carry the value");
        assertEquals(2, h.get("a").modifyIndex());
        assertEquals(2, h.get("b").modifyIndex());
        assertNull(h.get("x"));
    }

    @Test
    void failingOperationAbortsTheWholeTransactionAndReportsEveryFailure() {
        h.put("x", "old");
        long before = h.store.tableIndex(Table.KVS);
        CommandResult.TxnOutcome r = txn(set("a", "1"), new TxnOp(Verb.CAS, "x", bytes("new"), 0, 99, ""),
                TxnOp.of(Verb.DELETE_TREE, ""), TxnOp.of(Verb.GET, "x"));
        assertTrue(r.results().isEmpty());
        // Operations see the effects of the ones before them: the get fails because of the delete-tree.
        assertEquals(List.of(1, 3), r.errors().stream().map(CommandResult.TxnError::opIndex).toList());
        assertNull(h.get("a"), "the successful set was rolled back");
        assertEquals("old", h.value("x"), "the delete-tree was rolled back");
        assertEquals(0, h.store.kvTombstoneCount());
        assertEquals(before, h.store.tableIndex(Table.KVS));
    }

    @Test
    void checkVerbsGuardTheTransaction() {
        h.put("x", "v");
        assertTrue(txn(new TxnOp(Verb.CHECK_INDEX, "x", null, 0, 1, ""), set("y", "1")).committed());
        assertEquals(1, txn(new TxnOp(Verb.CHECK_INDEX, "x", null, 0, 5, ""), set("z", "1")).errors().size());
        assertNull(h.get("z"));
        assertEquals(1, txn(TxnOp.of(Verb.GET, "missing")).errors().size());
    }

    @Test
    void lockAndUnlockInsideATransaction() {
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        CommandResult.TxnOutcome r = txn(new TxnOp(Verb.LOCK, "l", bytes("v"), 0, 0, S1),
                new TxnOp(Verb.CHECK_SESSION, "l", null, 0, 0, S1));
        assertTrue(r.committed(), r.errors().toString());
        assertEquals(S1, h.get("l").session());
        assertTrue(txn(new TxnOp(Verb.UNLOCK, "l", bytes("v"), 0, 0, S1)).committed());
        assertEquals("", h.get("l").session());
        assertEquals(1, txn(new TxnOp(Verb.CHECK_SESSION, "l", null, 0, 0, S1)).errors().size());
    }

    @Test
    void sixtyFourOperationsAreAcceptedSixtyFiveRefused() {
        List<TxnOp> ops = new ArrayList<>();
        for (int i = 0; i < CommandValidator.MAX_TXN_OPS; i++) {
            ops.add(set("k" + i, "v"));
        }
        assertTrue(CommandValidator.validate(new Command.KvTxn(ops, 0)).isEmpty());
        assertTrue(((CommandResult.TxnOutcome) h.run(new Command.KvTxn(ops, 0))).committed());
        assertEquals(64, h.store.kvList("k").value().size());

        ops.add(set("k64", "v"));
        Command tooBig = new Command.KvTxn(ops, 0);
        assertTrue(CommandValidator.validate(tooBig).orElseThrow().contains("too many operations"));
        CommandResult r = h.run(tooBig);
        assertInstanceOf(CommandResult.Failed.class, r);
        assertNull(h.get("k64"), "apply refuses it too");
    }

    @Test
    void emptyTransactionIsRefused() {
        assertTrue(CommandValidator.validate(new Command.KvTxn(List.of(), 0)).isPresent());
    }
}
