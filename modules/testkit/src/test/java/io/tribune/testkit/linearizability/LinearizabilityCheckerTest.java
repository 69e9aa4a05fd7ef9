package io.tribune.testkit.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.testkit.linearizability.CheckResult.Outcome;
import io.tribune.testkit.linearizability.RegisterModel.Cas;
import io.tribune.testkit.linearizability.RegisterModel.CasResult;
import io.tribune.testkit.linearizability.RegisterModel.Delete;
import io.tribune.testkit.linearizability.RegisterModel.Input;
import io.tribune.testkit.linearizability.RegisterModel.Ok;
import io.tribune.testkit.linearizability.RegisterModel.Output;
import io.tribune.testkit.linearizability.RegisterModel.Read;
import io.tribune.testkit.linearizability.RegisterModel.ReadResult;
import io.tribune.testkit.linearizability.RegisterModel.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static final RegisterModel<String> MODEL = new RegisterModel<>();

    private static Operation<Input<String>, Output<String>> write(int c, String k, String v, long call, long ret) {
        return Operation.completed(c, new Write<>(k, v), new Ok<>(), call, ret);
    }

    private static Operation<Input<String>, Output<String>> read(int c, String k, String v, long call, long ret) {
        return Operation.completed(c, new Read<>(k), new ReadResult<>(v), call, ret);
    }

    private static Operation<Input<String>, Output<String>> cas(int c, String k, String exp, String v, boolean ok,
                                                                long call, long ret) {
        return Operation.completed(c, new Cas<>(k, exp, v), new CasResult<>(ok), call, ret);
    }

    private static CheckResult check(List<Operation<Input<String>, Output<String>>> h) {
        return LinearizabilityChecker.checkPartitioned(MODEL, h, Input::key);
    }

    @Test
    void emptyHistoryIsLinearizable() {
        CheckResult r = check(List.of());
        assertEquals(Outcome.LINEARIZABLE, r.outcome());
        assertEquals(0, r.operations());
        assertTrue(r.partitions().isEmpty());
    }

    @Test
    void sequentialWriteThenReadOfItIsLinearizable() {
        CheckResult r = check(List.of(write(0, "k", "a", 0, 10), read(1, "k", "a", 20, 30)));
        assertEquals(Outcome.LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void readOfAbsentKeyBeforeAnyWriteIsLinearizable() {
        assertTrue(check(List.of(read(0, "k", null, 0, 5), write(1, "k", "a", 10, 20))).isLinearizable());
    }

    @Test
    void staleReadAfterCompletedWriteIsNotLinearizable() {
        // the write of b finished before the read started, yet the read saw a
        CheckResult r = check(List.of(
                write(0, "k", "a", 0, 10),
                write(0, "k", "b", 20, 30),
                read(1, "k", "a", 40, 50)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome());
        assertEquals("k", r.partition());
        assertTrue(r.detail().contains("read k -> a"), r.detail());
    }

    @Test
    void readConcurrentWithWriteMaySeeEitherValue() {
        assertTrue(check(List.of(write(0, "k", "a", 0, 10), write(0, "k", "b", 20, 40),
                read(1, "k", "a", 25, 35))).isLinearizable());
        assertTrue(check(List.of(write(0, "k", "a", 0, 10), write(0, "k", "b", 20, 40),
                read(1, "k", "b", 25, 35))).isLinearizable());
    }

    @Test
    void touchingIntervalsCountAsConcurrent() {
        // the read is called at the instant the write returns: either order is allowed
        assertTrue(check(List.of(write(0, "k", "a", 0, 10), read(1, "k", null, 10, 20))).isLinearizable());
    }

    @Test
    void readsThatGoBackInTimeAreNotLinearizable() {
        // both reads overlap the write, but once one reader saw b, a later read cannot see a again
        CheckResult r = check(List.of(
                write(0, "k", "a", 0, 5),
                write(0, "k", "b", 10, 100),
                read(1, "k", "b", 20, 30),
                read(2, "k", "a", 40, 50)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void readOfValueNeverWrittenIsNotLinearizable() {
        assertEquals(Outcome.NOT_LINEARIZABLE, check(List.of(write(0, "k", "a", 0, 10),
                read(1, "k", "z", 0, 20))).outcome());
    }

    @Test
    void casSucceedsOnlyOnExpectedValue() {
        assertTrue(check(List.of(write(0, "c", "0", 0, 1), cas(1, "c", "0", "1", true, 2, 3),
                cas(2, "c", "0", "1", false, 4, 5), read(0, "c", "1", 6, 7))).isLinearizable());
        // two clients both succeeding from the same value is a lost update
        CheckResult r = check(List.of(write(0, "c", "0", 0, 1), cas(1, "c", "0", "1", true, 2, 10),
                cas(2, "c", "0", "1", true, 2, 10)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void casOnAbsentCreatesOnlyOnce() {
        assertTrue(check(List.of(cas(0, "c", null, "x", true, 0, 10), cas(1, "c", null, "y", false, 0, 10),
                read(2, "c", "x", 11, 12))).isLinearizable());
        assertEquals(Outcome.NOT_LINEARIZABLE, check(List.of(cas(0, "c", null, "x", true, 0, 10),
                cas(1, "c", null, "y", true, 0, 10))).outcome());
    }

    @Test
    void deleteMakesKeyAbsent() {
        assertTrue(check(List.of(write(0, "k", "a", 0, 1),
                Operation.completed(0, new Delete<>("k"), new Ok<>(), 2, 3),
                read(1, "k", null, 4, 5))).isLinearizable());
        assertEquals(Outcome.NOT_LINEARIZABLE, check(List.of(write(0, "k", "a", 0, 1),
                Operation.completed(0, new Delete<>("k"), new Ok<>(), 2, 3),
                read(1, "k", "a", 4, 5))).outcome());
    }

    @Test
    void indeterminateWriteMayHaveHappenedLate() {
        // the write's client timed out; a read long after sees its value: fine
        assertTrue(check(List.of(Operation.indeterminate(0, new Write<>("k", "a"), 0),
                read(1, "k", null, 5, 6), read(1, "k", "a", 1000, 1001))).isLinearizable());
    }

    @Test
    void indeterminateWriteMayNeverHaveHappened() {
        assertTrue(check(List.of(Operation.indeterminate(0, new Write<>("k", "a"), 0),
                read(1, "k", null, 1000, 1001))).isLinearizable());
    }

    @Test
    void indeterminateWriteCannotTakeEffectBeforeItsCall() {
        CheckResult r = check(List.of(read(1, "k", "a", 0, 10),
                Operation.indeterminate(0, new Write<>("k", "a"), 20)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void indeterminateWriteTakesEffectAtMostOnce() {
        // a, then b overwrote it; seeing a again after b would need the write of a to happen twice
        CheckResult r = check(List.of(Operation.indeterminate(0, new Write<>("k", "a"), 0),
                read(1, "k", "a", 10, 11), write(1, "k", "b", 20, 21), read(1, "k", "a", 30, 31)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void indeterminateCasFollowsTheSpecificationWhereverPlaced() {
        // an unknown CAS 0->1 explains a later read of 1
        assertTrue(check(List.of(write(0, "c", "0", 0, 1), Operation.indeterminate(1, new Cas<>("c", "0", "1"), 2),
                read(2, "c", "1", 50, 51))).isLinearizable());
        // but it cannot explain 1 once the counter moved to 5 before it was called (its compare fails)
        CheckResult r = check(List.of(write(0, "c", "5", 0, 1), Operation.indeterminate(1, new Cas<>("c", "0", "1"), 2),
                read(2, "c", "1", 50, 51)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
    }

    @Test
    void indeterminateReadConstrainsNothing() {
        assertTrue(check(List.of(Operation.indeterminate(0, new Read<>("k"), 0), write(1, "k", "a", 1, 2),
                read(1, "k", "a", 3, 4))).isLinearizable());
    }

    @Test
    void keysAreCheckedApartAndTheFailingKeyIsNamed() {
        CheckResult r = check(List.of(
                write(0, "x", "1", 0, 10), read(1, "x", "1", 20, 30),
                write(0, "y", "1", 0, 10), read(1, "y", null, 20, 30),
                write(0, "z", "1", 0, 10)));
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome());
        assertEquals("y", r.partition());
        assertEquals(3, r.partitions().size());
        assertEquals(List.of("x", "y", "z"), r.partitions().stream().map(CheckResult::partition).toList());
        assertEquals(List.of(Outcome.LINEARIZABLE, Outcome.NOT_LINEARIZABLE, Outcome.LINEARIZABLE),
                r.partitions().stream().map(CheckResult::outcome).toList());
        assertEquals(5, r.operations());
    }

    @Test
    void orderOfTheInputListDoesNotMatter() {
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>(List.of(
                write(0, "k", "a", 0, 10), write(0, "k", "b", 20, 30), read(1, "k", "a", 40, 50)));
        java.util.Collections.reverse(h);
        assertEquals(Outcome.NOT_LINEARIZABLE, check(h).outcome());
    }

    @Test
    void randomSequentialHistoriesOfManyClientsAreLinearizable() {
        // histories produced by running operations on a real register, each at one instant inside
        // an interval around it: linearizable by construction, whatever the overlap
        for (long seed = 1; seed <= 50; seed++) {
            List<Operation<Input<String>, Output<String>>> h = linearizableHistory(new Random(seed), 300, 3, 8);
            CheckResult r = check(h);
            assertEquals(Outcome.LINEARIZABLE, r.outcome(), () -> "seed " + r);
        }
    }

    @Test
    void corruptingOneReadOfARandomHistoryIsCaught() {
        int caught = 0;
        for (long seed = 1; seed <= 50; seed++) {
            Random rnd = new Random(seed);
            List<Operation<Input<String>, Output<String>>> h = linearizableHistory(rnd, 200, 1, 5);
            // a read answering a value no one ever wrote can never be linearized
            int i = firstRead(h);
            if (i < 0) {
                continue;
            }
            Operation<Input<String>, Output<String>> op = h.get(i);
            h.set(i, Operation.completed(op.client(), op.input(), new ReadResult<>("never-written"),
                    op.callTime(), op.returnTime()));
            assertEquals(Outcome.NOT_LINEARIZABLE, check(h).outcome(), "seed " + seed);
            caught++;
        }
        assertTrue(caught > 40, "too few histories had a read: " + caught);
    }

    @Test
    void searchIsBoundedAndReportsUnknown() {
        // many writes all concurrent and a final read of a value none of them wrote: the search must
        // try every order before it can say no, far beyond a small bound
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            h.add(write(i, "k", "v" + i, 0, 1000));
        }
        h.add(read(99, "k", "other", 0, 1000));
        CheckResult r = LinearizabilityChecker.checkPartitioned(MODEL, h, Input::key, 10_000);
        assertEquals(Outcome.UNKNOWN, r.outcome());
        assertEquals(10_000, r.steps());
        assertTrue(r.detail().contains("bound of 10000 steps"), r.detail());
        assertFalse(r.isLinearizable());
    }

    @Test
    void memoizationKeepsWideConcurrencyCheap() {
        // 18 concurrent writes of the same value and a read of it: without memoization the search
        // would explore up to 18! orders; with it, each (set, state) pair is visited once
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            h.add(write(i, "k", "same", 0, 1000));
        }
        h.add(read(99, "k", "different", 0, 1000));
        CheckResult r = LinearizabilityChecker.checkPartitioned(MODEL, h, Input::key, 50_000_000);
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome(), r::toString);
        assertTrue(r.steps() < 50_000_000, r::toString);
    }

    @Test
    void notLinearizableOutranksUnknownInSummary() {
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>();
        for (int i = 0; i < 14; i++) {
            h.add(write(i, "a", "v" + i, 0, 1000));
        }
        h.add(read(99, "a", "none", 0, 1000));
        h.add(write(0, "b", "1", 2000, 2001));
        h.add(read(1, "b", null, 2002, 2003));
        CheckResult r = LinearizabilityChecker.checkPartitioned(MODEL, h, Input::key, 1000);
        assertEquals(Outcome.NOT_LINEARIZABLE, r.outcome());
        assertEquals("b", r.partition());
        assertEquals(Outcome.UNKNOWN, r.partitions().get(0).outcome());
    }

    @Test
    void genericModelWithoutPartitions() {
        // a counter that only increments and reports the value after the increment
        Model<Integer, String, Integer> counter = new Model<>() {
            @Override
            public Integer initialState() {
                return 0;
            }

            @Override
            public Optional<Integer> step(Integer state, String input, Integer output) {
                int next = state + 1;
                return output == null || output == next ? Optional.of(next) : Optional.empty();
            }
        };
        assertTrue(LinearizabilityChecker.check(counter, List.of(
                Operation.completed(0, "inc", 2, 0, 10), Operation.completed(1, "inc", 1, 0, 10))).isLinearizable());
        assertEquals(Outcome.NOT_LINEARIZABLE, LinearizabilityChecker.check(counter, List.of(
                Operation.completed(0, "inc", 1, 0, 10), Operation.completed(1, "inc", 1, 0, 10))).outcome());
        assertEquals(Outcome.NOT_LINEARIZABLE, LinearizabilityChecker.check(counter, List.of(
                Operation.completed(0, "inc", 2, 0, 10), Operation.completed(1, "inc", 1, 20, 30))).outcome());
    }

    @Test
    void badInputIsRefusedClearly() {
        assertThrows(IllegalArgumentException.class, () -> write(0, "k", "a", 10, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Operation.completed(0, new Read<String>("k"), null, 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> Operation.completed(0, new Read<String>("k"), new ReadResult<String>("a"), 0, Long.MAX_VALUE));
        assertThrows(NullPointerException.class, () -> Operation.indeterminate(0, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> LinearizabilityChecker.check(MODEL, List.of(), 0));
        List<Operation<Input<String>, Output<String>>> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> check(withNull));
        // an output of the wrong kind is a bug of the caller, not a violation
        assertThrows(IllegalArgumentException.class, () -> check(List.of(
                Operation.completed(0, new Read<>("k"), new Ok<>(), 0, 1))));
    }

    private static int firstRead(List<Operation<Input<String>, Output<String>>> h) {
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).input() instanceof Read<String>) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Runs {@code n} random operations on a real register at increasing instants, and gives each an
     * interval that contains its instant and overlaps others, up to {@code maxSpread} instants wide.
     */
    private static List<Operation<Input<String>, Output<String>>> linearizableHistory(Random rnd, int n, int keys,
                                                                                      int maxSpread) {
        java.util.Map<String, String> store = new java.util.TreeMap<>();
        List<Operation<Input<String>, Output<String>>> h = new ArrayList<>();
        int unique = 0;
        for (int i = 0; i < n; i++) {
            long at = 10L * i;
            long call = at - rnd.nextInt(maxSpread * 10 + 1);
            long ret = at + rnd.nextInt(maxSpread * 10 + 1);
            String k = "k" + rnd.nextInt(keys);
            int kind = rnd.nextInt(10);
            int client = rnd.nextInt(5);
            if (kind < 4) {
                h.add(read(client, k, store.get(k), call, ret));
            } else if (kind < 7) {
                String v = "v" + unique++;
                store.put(k, v);
                h.add(rnd.nextInt(8) == 0 ? Operation.indeterminate(client, new Write<>(k, v), call)
                        : write(client, k, v, call, ret));
            } else {
                String cur = store.get(k);
                String exp = rnd.nextBoolean() ? cur : "v" + rnd.nextInt(unique + 1);
                String v = "v" + unique++;
                boolean ok = java.util.Objects.equals(exp, cur);
                if (ok) {
                    store.put(k, v);
                }
                h.add(cas(client, k, exp, v, ok, call, ret));
            }
        }
        return h;
    }
}
