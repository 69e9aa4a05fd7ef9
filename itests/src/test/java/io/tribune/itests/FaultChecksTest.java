package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.itests.FaultChecks.Outcome;
import io.tribune.itests.FaultChecks.Verdict;
import io.tribune.itests.FaultChecks.WriteRecord;
import io.tribune.testkit.linearizability.Operation;
import io.tribune.testkit.linearizability.RegisterModel.Cas;
import io.tribune.testkit.linearizability.RegisterModel.CasResult;
import io.tribune.testkit.linearizability.RegisterModel.Input;
import io.tribune.testkit.linearizability.RegisterModel.Ok;
import io.tribune.testkit.linearizability.RegisterModel.Output;
import io.tribune.testkit.linearizability.RegisterModel.Read;
import io.tribune.testkit.linearizability.RegisterModel.ReadResult;
import io.tribune.testkit.linearizability.RegisterModel.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fault harness's verdicts on made-up answers and final states: each kind of finding is caught. */
class FaultChecksTest {
    private static final List<String> SERVERS = List.of("s0", "s1", "s2");
    private static final String C = "faults/counter";

    private static List<Operation<Input<String>, Output<String>>> history(String key, String value) {
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>();
        h.add(Operation.completed(0, new Cas<>(C, null, "0"), new CasResult<>(true), 0, 1));
        h.add(Operation.completed(1, new Write<>(key, value), new Ok<>(), 2, 3));
        h.add(Operation.completed(2, new Read<>(key), new ReadResult<>(value), 4, 5));
        return h;
    }

    private static List<Map<String, String>> same(Map<String, String> m) {
        return List.of(m, m, m);
    }

    @Test
    void writeAnswersAreClassified() {
        assertEquals(Outcome.ACKED, FaultChecks.writeOutcome(200, "true\n", false));
        assertEquals(Outcome.UNKNOWN, FaultChecks.writeOutcome(200, "false", false));
        assertEquals(Outcome.ACKED, FaultChecks.writeOutcome(200, "false", true));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(FaultChecks.NOT_SENT, "refused", false));
        assertEquals(Outcome.UNKNOWN, FaultChecks.writeOutcome(FaultChecks.LOST, "timeout", false));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(400, "bad", false));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(429, "", false));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(501, "no handler", false));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(500, "No cluster leader", false));
        assertEquals(Outcome.FAILED, FaultChecks.writeOutcome(500, "No known Consul servers", true));
        assertEquals(Outcome.UNKNOWN, FaultChecks.writeOutcome(500,
                "No cluster leader: the write was sent and its answer was lost; it may or may not have been applied", false));
        assertEquals(Outcome.UNKNOWN, FaultChecks.writeOutcome(500, "timed out waiting for the cluster", false));
        assertEquals(Outcome.UNKNOWN, FaultChecks.writeOutcome(503, "", false));
    }

    @Test
    void cleanRunFindsNothing() {
        Verdict v = FaultChecks.check(List.of(new WriteRecord("k", "v", Outcome.ACKED),
                        new WriteRecord("u", "x", Outcome.UNKNOWN), new WriteRecord("f", "y", Outcome.FAILED)),
                SERVERS, same(Map.of("k", "v", "u", "x", C, "3")), C, 2, 1, history("k", "v"));
        assertEquals(0, v.lost() + v.duplicated() + v.staleReads() + v.phantoms() + v.unchecked(), v.details()::toString);
        assertEquals(1 + 2, v.acked());
        assertEquals(1 + 1, v.indeterminate());
    }

    @Test
    void acknowledgedWriteMissingOnOneServerIsLost() {
        Verdict v = FaultChecks.check(List.of(new WriteRecord("k", "v", Outcome.ACKED)), SERVERS,
                List.of(Map.of("k", "v", C, "0"), Map.of(C, "0"), Map.of("k", "other", C, "0")), C, 0, 0, history("k", "v"));
        assertEquals(1, v.lost());
        assertTrue(v.details().get(0).contains("s1=null") && v.details().get(0).contains("s2=other"), v.details()::toString);
    }

    @Test
    void refusedWriteThatAppliedIsAPhantom() {
        Verdict v = FaultChecks.check(List.of(new WriteRecord("f", "y", Outcome.FAILED)), SERVERS,
                same(Map.of("f", "y", C, "0")), C, 0, 0, history("k", "v"));
        assertEquals(1, v.phantoms());
    }

    @Test
    void counterOutsideItsRangeIsLostOrDuplicated() {
        Verdict low = FaultChecks.check(List.of(), SERVERS, same(Map.of(C, "4")), C, 5, 2, history("k", "v"));
        assertEquals(3, low.lost()); // one short on each of three servers
        Verdict high = FaultChecks.check(List.of(), SERVERS, List.of(Map.of(C, "8"), Map.of(C, "7"), Map.of(C, "6")),
                C, 5, 2, history("k", "v"));
        assertEquals(1, high.duplicated());
        assertEquals(0, high.lost());
    }

    @Test
    void staleConsistentReadIsCaught() {
        List<Operation<Input<String>, Output<String>>> h = history("k", "v");
        // a read that began after the write was acknowledged, yet saw nothing
        h.add(Operation.completed(2, new Read<>("k"), new ReadResult<>(null), 10, 11));
        Verdict v = FaultChecks.check(List.of(new WriteRecord("k", "v", Outcome.ACKED)), SERVERS,
                same(Map.of("k", "v", C, "0")), C, 0, 0, h);
        assertEquals(1, v.staleReads());
        assertTrue(v.details().get(0).startsWith("not linearizable: key k"), v.details()::toString);
    }
}
