package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static io.tribune.state.Harness.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.Applied;
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
    private static final RequestId ID = new RequestId(0x0123456789abcdefL, -2);

    @Test
    void everyCommandRoundTripsInsideARequestIdEnvelope() {
        for (Command c : samples()) {
            Command.Dedup d = new Command.Dedup(ID, 1234, c);
            byte[] wire = d.encode();
            assertEquals(d, Command.decode(wire), c.getClass().getSimpleName());
            // The envelope is spliced in front of the command's own tag and fields, so a forwarder
            // can add it to bytes it cannot decode and get the same encoding.
            assertArrayEquals(wire, Command.withRequestId(c.encode(), ID, 1234));
            assertEquals(Optional.of(ID), Command.requestIdOf(wire));
            assertEquals(Optional.empty(), Command.requestIdOf(c.encode()));
            assertEquals(c.encode().length + 25, wire.length, "format, tag, id, time, then the command's tag");
            assertEquals(Optional.empty(), CommandValidator.validate(d));
        }
    }

    @Test
    void envelopesDoNotNestAndAreCheckedLikeAnyCommand() {
        Command inner = new Command.KvSet("k", bytes("v"), 0, OptionalLong.empty());
        Command.Dedup d = new Command.Dedup(ID, 1, inner);
        assertThrows(IllegalArgumentException.class, () -> new Command.Dedup(ID, 1, d));
        assertThrows(IllegalArgumentException.class, () -> Command.withRequestId(d.encode(), ID, 1));
        assertThrows(IllegalArgumentException.class, () -> Command.withRequestId(bytes("cmd"), ID, 1));
        byte[] wire = d.encode();
        byte[] nested = new byte[wire.length + 25];
        System.arraycopy(wire, 0, nested, 0, 26);
        System.arraycopy(wire, 1, nested, 26, wire.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Command.decode(nested)).getMessage()
                .contains("cannot wrap another"));
        for (int len = 2; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            assertThrows(IllegalArgumentException.class, () -> Command.decode(cut), "length " + len);
        }
        assertTrue(CommandValidator.validate(new Command.Dedup(ID, -1, inner)).orElseThrow().contains("request time"));
        assertTrue(CommandValidator.validate(new Command.Dedup(ID, 1, new Command.KvSet("", null, 0,
                OptionalLong.empty()))).orElseThrow().contains("missing key"));
        assertEquals(Optional.empty(), Command.requestIdOf(null));
        assertEquals(Optional.empty(), Command.requestIdOf(new byte[] {1, 70, 0}));
    }

    @Test
    void repeatedResultsRoundTripAndUnwrapToTheFirstApplication() {
        List<CommandResult> rs = List.of(new CommandResult.Bool(false), new CommandResult.Done(),
                new CommandResult.Failed(CommandResult.Failed.Kind.REJECTED, "no"),
                new CommandResult.TxnOutcome(List.of(new KvEntry("k", 1, 2, 3, 4, bytes("v"), S1)), List.of()));
        for (CommandResult r : rs) {
            CommandResult.Repeated rep = new CommandResult.Repeated(41, r);
            assertEquals(rep, CommandResult.decode(rep.encode()));
            Applied original = CommandResult.original(new Applied(99, rep.encode()));
            assertEquals(41, original.index());
            assertArrayEquals(r.encode(), original.result());
            Applied plain = new Applied(7, r.encode());
            assertEquals(plain, CommandResult.original(plain));
        }
        Applied foreign = new Applied(3, bytes("applied:cmd"));
        assertEquals(foreign, CommandResult.original(foreign));
        assertThrows(IllegalArgumentException.class,
                () -> new CommandResult.Repeated(1, new CommandResult.Repeated(2, new CommandResult.Done())));
        byte[] nested = {1, 6, 0, 0, 0, 0, 0, 0, 0, 1, 6, 0, 0, 0, 0, 0, 0, 0, 2, 2};
        assertThrows(IllegalArgumentException.class, () -> CommandResult.decode(nested));
    }

    @Test
    void requestIdsHaveATextFormThatParsesBack() {
        assertEquals("0123456789abcdeffffffffffffffffe", ID.toString());
        assertEquals(ID, RequestId.parse(ID.toString()));
        assertEquals(ID, RequestId.parse(ID.toString().toUpperCase(java.util.Locale.ROOT)));
        for (String bad : List.of("", "0123", ID + "0", "0123456789abcdeffffffffffffffffg", "+123456789abcdeffffffffffffffffe")) {
            assertThrows(IllegalArgumentException.class, () -> RequestId.parse(bad), bad);
        }
        assertTrue(new RequestId(1, 0).compareTo(new RequestId(0, Long.MAX_VALUE)) > 0);
        assertTrue(new RequestId(1, 1).compareTo(new RequestId(1, 2)) < 0);
    }
}
