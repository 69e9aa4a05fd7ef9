package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CodecTest {

    static List<Command> samples() {
        return List.of(
                new Command.KvSet("k", bytes("v"), -1, OptionalLong.of(0)),
                new Command.KvSet("ключ/ü", new byte[0], 7, OptionalLong.empty()),
                new Command.KvDelete("k", OptionalLong.of(5)),
                new Command.KvDelete("k", OptionalLong.empty()),
                new Command.KvDeleteTree(""),
                new Command.KvAcquire("l", bytes("x"), 3, S1, 12345),
                new Command.KvRelease("l", bytes("y"), 4, S1),
                new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.CAS, "a", bytes("1"), 2, 3, ""),
                        new TxnOp(TxnOp.Verb.LOCK, "b", null, 0, 0, S1)), 99),
                new Command.TombstoneReap(10, 20),
                new Command.Register(new Node("44444444-4444-4444-4444-444444444444", "n1", "10.0.0.1", "dc1",
                        Map.of("wan", "1.2.3.4"), Map.of("k", "v"), 0, 0),
                        Optional.of(new NodeService("w", "web", List.of("t"), "10.0.0.2", Map.of("m", "n"), 80,
                                new NodeService.Weights(2, 1), true, 0, 0)),
                        List.of(HealthCheck.of("n1", "c", HealthStatus.CRITICAL, "w")), 77),
                new Command.Register(Node.of("n2", ""), Optional.empty(), List.of(), 0),
                new Command.Deregister("n1", Optional.of("w"), Optional.empty(), 5),
                new Command.Deregister("n1", Optional.empty(), Optional.of("c"), 5),
                new Command.SessionCreate(new Session(S1, "name", "n1", 15_000, SessionBehavior.DELETE, 30_000,
                        List.of("serfHealth"), 1000, 0, 0)),
                new Command.SessionRenew(S1, 5),
                new Command.SessionDestroy(S1, 6),
                new Command.EventFire(new EventRecord(S1, "deploy", bytes("p"), "a", "b", "c", 0)),
                new Command.CoordinateUpdate(List.of(new Coordinate("n1", "seg", List.of(1.0, 2.0), 0.5, 0.1, 0.2))));
    }

    @Test
    void everyCommandRoundTrips() {
        for (Command c : samples()) {
            assertEquals(c, Command.decode(c.encode()), c.getClass().getSimpleName());
        }
    }

    @Test
    void everyResultRoundTrips() {
        List<CommandResult> rs = List.of(new CommandResult.Bool(true), new CommandResult.Bool(false),
                new CommandResult.Done(), new CommandResult.Count(42),
                new CommandResult.Failed(CommandResult.Failed.Kind.NOT_FOUND, "gone"),
                new CommandResult.TxnOutcome(List.of(new KvEntry("k", 1, 2, 3, 4, bytes("v"), S1)), List.of()),
                new CommandResult.TxnOutcome(List.of(), List.of(new CommandResult.TxnError(3, "bad"))));
        for (CommandResult r : rs) {
            assertEquals(r, CommandResult.decode(r.encode()));
        }
    }

    @Test
    void malformedInputsAreRejectedWithAClearMessage() {
        byte[] good = new Command.KvSet("k", bytes("v"), 0, OptionalLong.empty()).encode();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Command.decode(new byte[0])).getMessage()
                .contains("too short"));
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Command.decode(badVersion)).getMessage()
                .contains("format"));
        byte[] badType = good.clone();
        badType[1] = (byte) 200;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Command.decode(badType)).getMessage()
                .contains("unknown command type"));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Command.decode(trailing)).getMessage()
                .contains("trailing"));
        for (int len = 2; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThrows(IllegalArgumentException.class, () -> Command.decode(cut), "length " + len);
        }
        byte[] hugeLength = good.clone();
        hugeLength[2] = 0x7f; // key length prefix now claims ~2 GiB
        assertThrows(IllegalArgumentException.class, () -> Command.decode(hugeLength));
    }

    @Test
    void applyTurnsGarbageIntoAFailedResultAndKeepsGoing() {
        Harness h = new Harness();
        h.put("k", "v");
        byte[] garbage = {1, 99, 1, 2, 3};
        CommandResult r = CommandResult.decode(h.store.apply(2, 1, garbage));
        assertInstanceOf(CommandResult.Failed.class, r);
        assertEquals(CommandResult.Failed.Kind.INVALID, ((CommandResult.Failed) r).kind());
        assertEquals(2, h.store.lastIndex(), "the entry is consumed");
        assertEquals("v", h.value("k"));
        h.index = 2;
        assertTrue(h.put("k2", "v2"), "later entries still apply");
    }

    @Test
    void applyRefusesInvalidCommandsThatSkippedValidation() {
        Harness h = new Harness();
        byte[] big = new byte[CommandValidator.MAX_VALUE_BYTES + 1];
        CommandResult r = h.run(new Command.KvSet("k", big, 0, OptionalLong.empty()));
        assertTrue(((CommandResult.Failed) r).message().contains("value too large"));
        r = h.run(new Command.KvSet("", bytes("v"), 0, OptionalLong.empty()));
        assertTrue(((CommandResult.Failed) r).message().contains("missing key"));
        r = h.run(new Command.KvAcquire("k", bytes("v"), 0, "bogus", 0));
        assertTrue(((CommandResult.Failed) r).message().contains("session"));
        assertTrue(h.store.kvList("").value().isEmpty());
    }

    @Test
    void applyRefusesIndexesThatDoNotIncrease() {
        Harness h = new Harness();
        h.put("k", "v");
        CommandResult r = CommandResult.decode(h.store.apply(1, 1,
                new Command.KvSet("k", bytes("again"), 0, OptionalLong.empty()).encode()));
        assertInstanceOf(CommandResult.Failed.class, r);
        assertEquals("v", h.value("k"));
    }

    @Test
    void validatorMessagesNameTheProblem() {
        String longKey = "k".repeat(CommandValidator.MAX_KEY_BYTES + 1);
        assertTrue(CommandValidator.validate(new Command.KvSet(longKey, null, 0, OptionalLong.empty())).orElseThrow()
                .contains("key too long"));
        assertTrue(CommandValidator.validate(new Command.KvSet("k", null, 0, OptionalLong.of(-1))).orElseThrow()
                .contains("cas"));
        assertTrue(CommandValidator.validate(new Command.Register(Node.of("n", "a"), Optional.of(
                NodeService.of("s", "s", 70000)), List.of(), 0)).orElseThrow().contains("port"));
        assertTrue(CommandValidator.validate(new Command.Register(Node.of("n", "a"), Optional.empty(),
                List.of(HealthCheck.of("other", "c", HealthStatus.PASSING, "")), 0)).orElseThrow()
                .contains("not the registered node"));
        assertTrue(CommandValidator.validate(new Command.EventFire(new EventRecord(S1, "e", new byte[513], "", "",
                "", 0))).orElseThrow().contains("payload too large"));
        assertTrue(CommandValidator.validate(new Command.CoordinateUpdate(List.of(new Coordinate("n", "",
                List.of(Double.NaN), 0, 0, 0)))).orElseThrow().contains("not finite"));
        assertThrows(IllegalArgumentException.class,
                () -> CommandValidator.requireValid(new Command.KvDelete("", OptionalLong.empty())));
        for (Command c : samples()) {
            assertEquals(Optional.empty(), CommandValidator.validate(c), c.toString());
        }
    }
}
