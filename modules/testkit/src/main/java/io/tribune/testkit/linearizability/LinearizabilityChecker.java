package io.tribune.testkit.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides whether a history of operations is linearizable with respect to a {@link Model}.
 *
 * <p>The search is Wing and Gong's, with Lowe's just-in-time refinement and memoization, as
 * Porcupine implements it: the history becomes a list of call and return events ordered by time
 * (calls before returns at equal times, so touching intervals count as concurrent). Walking the
 * list, the search tries to linearize each operation whose call it meets, if the model accepts its
 * output in the current state and the pair (set of operations linearized so far, state) has not
 * been seen before; it then removes that operation from the list and starts again from the front.
 * Meeting a return event means an operation that has already returned was not yet linearized, so
 * the last choice is undone (backtracking). The history is linearizable when every operation has
 * been linearized. Operations with an unknown outcome return after everything else, so they are
 * linearized where they help and never force a failure.
 *
 * <p>The worst case is exponential, so every search counts the model steps it takes and stops with
 * {@link CheckResult.Outcome#UNKNOWN} at {@code maxSteps}: a caller asserting linearizability fails
 * clearly instead of hanging. Splitting a history by object ({@link #checkPartitioned}) keeps the
 * searches small for key-value histories.
 *
 * <p>Threading: stateless; each call runs on the caller's thread and shares nothing, so calls may
 * run concurrently. The result depends only on the arguments (no clock, no randomness; partitions
 * are checked in the order they first appear).
 */
public final class LinearizabilityChecker {

    /** The default bound on model steps per partition: enough for thousands of operations per key. */
    public static final long DEFAULT_MAX_STEPS = 5_000_000L;

    private LinearizabilityChecker() {
    }

    /**
     * Checks a whole history as one object, with {@link #DEFAULT_MAX_STEPS}.
     *
     * @see #check(Model, List, long)
     */
    public static <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history) {
        return check(model, history, DEFAULT_MAX_STEPS);
    }

    /**
     * Checks a whole history as one object.
     *
     * @param model    the sequential specification
     * @param history  the operations, in any order
     * @param maxSteps the most model steps the search may take (at least 1)
     * @return the verdict; {@link CheckResult.Outcome#UNKNOWN} when the bound was reached
     * @throws IllegalArgumentException when {@code maxSteps < 1}
     * @throws NullPointerException     when an argument or an operation is null
     */
    public static <S, I, O> CheckResult check(Model<S, I, O> model, List<Operation<I, O>> history, long maxSteps) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(history, "history");
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1: " + maxSteps);
        }
        for (Operation<I, O> op : history) {
            Objects.requireNonNull(op, "an operation of the history is null");
        }
        return new Search<>(model, List.copyOf(history), maxSteps, null).run();
    }

    /**
     * Checks a history per partition (per key, for a key-value store), with
     * {@link #DEFAULT_MAX_STEPS} per partition.
     *
     * @see #checkPartitioned(Model, List, Function, long)
     */
    public static <S, I, O> CheckResult checkPartitioned(Model<S, I, O> model, List<Operation<I, O>> history,
                                                         Function<? super I, ?> partitionOf) {
        return checkPartitioned(model, history, partitionOf, DEFAULT_MAX_STEPS);
    }

    /**
     * Checks a history one partition at a time: operations whose inputs map to equal partition keys
     * form one sub-history, each with the model's initial state. This is sound and complete when
     * the partitions are independent objects (P-compositionality): the whole history is
     * linearizable exactly when every sub-history is.
     *
     * @param model       the sequential specification of one partition
     * @param history     the operations, in any order
     * @param partitionOf maps an input to its partition key (non-null, with {@code equals} and
     *                    {@code hashCode})
     * @param maxSteps    the most model steps each partition's search may take (at least 1)
     * @return a summary whose outcome is the worst partition's, whose {@code partition} and
     *         {@code detail} are those of the first failing (else first unknown) partition, and whose
     *         {@code partitions} hold every partition's result
     * @throws IllegalArgumentException when {@code maxSteps < 1}
     * @throws NullPointerException     when an argument, an operation or a partition key is null
     */
    public static <S, I, O> CheckResult checkPartitioned(Model<S, I, O> model, List<Operation<I, O>> history,
                                                         Function<? super I, ?> partitionOf, long maxSteps) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(history, "history");
        Objects.requireNonNull(partitionOf, "partitionOf");
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1: " + maxSteps);
        }
        // insertion order, so that partitions are checked and reported deterministically
        Map<Object, List<Operation<I, O>>> parts = new LinkedHashMap<>();
        for (Operation<I, O> op : history) {
            Objects.requireNonNull(op, "an operation of the history is null");
            Object key = Objects.requireNonNull(partitionOf.apply(op.input()), "partition key of " + op.input());
            parts.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
        }
        List<CheckResult> results = new ArrayList<>(parts.size());
        long steps = 0;
        CheckResult worst = null;
        for (Map.Entry<Object, List<Operation<I, O>>> e : parts.entrySet()) {
            CheckResult r = new Search<>(model, e.getValue(), maxSteps, e.getKey()).run();
            results.add(r);
            steps += r.steps();
            if (r.outcome() != CheckResult.Outcome.LINEARIZABLE
                    && (worst == null || r.outcome().compareTo(worst.outcome()) > 0)) {
                worst = r;
            }
        }
        if (worst == null) {
            return new CheckResult(CheckResult.Outcome.LINEARIZABLE, null, history.size(), steps, "", results);
        }
        return new CheckResult(worst.outcome(), worst.partition(), history.size(), steps, worst.detail(), results);
    }

    /** One event of the doubly linked list the search walks: a call or a return of one operation. */
    private static final class Event {
        final int op;
        final boolean call;
        final long time;
        Event match;
        Event prev;
        Event next;

        Event(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame<S>(Event call, S stateBefore) {
    }

    private record Seen<S>(BitSet linearized, S state) {
    }

    /** The search over one (sub-)history; used once. */
    private static final class Search<S, I, O> {
        private final Model<S, I, O> model;
        private final List<Operation<I, O>> ops;
        private final long maxSteps;
        private final Object partition;
        private final Event head = new Event(-1, true, Long.MIN_VALUE);

        // the deepest point the search reached, for the report of a failure
        private List<Integer> bestPrefix = List.of();
        private int bestStuckOp = -1;

        Search(Model<S, I, O> model, List<Operation<I, O>> ops, long maxSteps, Object partition) {
            this.model = model;
            this.ops = ops;
            this.maxSteps = maxSteps;
            this.partition = partition;
        }

        CheckResult run() {
            buildEvents();
            S state = model.initialState();
            Objects.requireNonNull(state, "the model's initial state");
            BitSet linearized = new BitSet(ops.size());
            Set<Seen<S>> seen = new HashSet<>();
            Deque<Frame<S>> stack = new ArrayDeque<>();
            long steps = 0;
            Event e = head.next;
            while (head.next != null) {
                if (e.call) {
                    if (steps >= maxSteps) {
                        return result(CheckResult.Outcome.UNKNOWN, steps, "the search reached its bound of "
                                + maxSteps + " steps before deciding; " + bestAccount());
                    }
                    steps++;
                    Operation<I, O> op = ops.get(e.op);
                    Optional<S> next = model.step(state, op.input(), op.output());
                    boolean moved = false;
                    if (next.isPresent()) {
                        BitSet after = (BitSet) linearized.clone();
                        after.set(e.op);
                        if (seen.add(new Seen<>(after, next.get()))) {
                            stack.push(new Frame<>(e, state));
                            state = next.get();
                            linearized.set(e.op);
                            lift(e);
                            moved = true;
                            e = head.next;
                        }
                    }
                    if (!moved) {
                        e = e.next;
                    }
                } else {
                    // an operation returned before we found a place for it: undo the last choice
                    if (stack.size() >= bestPrefix.size()) {
                        recordBest(stack, e.op);
                    }
                    if (stack.isEmpty()) {
                        return result(CheckResult.Outcome.NOT_LINEARIZABLE, steps, bestAccount());
                    }
                    Frame<S> top = stack.pop();
                    state = top.stateBefore();
                    linearized.clear(top.call().op);
                    unlift(top.call());
                    e = top.call().next;
                }
            }
            return result(CheckResult.Outcome.LINEARIZABLE, steps, "");
        }

        private void buildEvents() {
            List<Event> events = new ArrayList<>(2 * ops.size());
            for (int i = 0; i < ops.size(); i++) {
                Operation<I, O> op = ops.get(i);
                Event call = new Event(i, true, op.callTime());
                Event ret = new Event(i, false, op.returnTime());
                call.match = ret;
                ret.match = call;
                events.add(call);
                events.add(ret);
            }
            // by time; at equal times calls first (touching intervals are concurrent); then by
            // operation index, so that the walk is the same on every run
            events.sort(Comparator.<Event>comparingLong(ev -> ev.time)
                    .thenComparing(ev -> !ev.call)
                    .thenComparingInt(ev -> ev.op));
            Event prev = head;
            for (Event ev : events) {
                prev.next = ev;
                ev.prev = prev;
                prev = ev;
            }
        }

        /** Removes a call and its return from the list. */
        private static void lift(Event call) {
            call.prev.next = call.next;
            if (call.next != null) {
                call.next.prev = call.prev;
            }
            Event ret = call.match;
            ret.prev.next = ret.next;
            if (ret.next != null) {
                ret.next.prev = ret.prev;
            }
        }

        /** Puts back what {@link #lift} removed, in the reverse order. */
        private static void unlift(Event call) {
            Event ret = call.match;
            ret.prev.next = ret;
            if (ret.next != null) {
                ret.next.prev = ret;
            }
            call.prev.next = call;
            if (call.next != null) {
                call.next.prev = call;
            }
        }

        private void recordBest(Deque<Frame<S>> stack, int stuckOp) {
            List<Integer> prefix = new ArrayList<>(stack.size());
            stack.descendingIterator().forEachRemaining(f -> prefix.add(f.call().op));
            bestPrefix = prefix;
            bestStuckOp = stuckOp;
        }

        private String bestAccount() {
            StringBuilder sb = new StringBuilder();
            sb.append("longest linearizable prefix has ").append(bestPrefix.size()).append(" of ")
                    .append(ops.size()).append(" operations");
            int shown = 0;
            int from = Math.max(0, bestPrefix.size() - 10);
            if (!bestPrefix.isEmpty()) {
                sb.append(from > 0 ? ", ending [... " : " [");
                for (int i = from; i < bestPrefix.size(); i++) {
                    sb.append(shown++ > 0 ? ", " : "").append(describe(bestPrefix.get(i)));
                }
                sb.append(']');
            }
            if (bestStuckOp >= 0) {
                sb.append("; then no legal place for ").append(describe(bestStuckOp));
            }
            return sb.toString();
        }

        private String describe(int i) {
            Operation<I, O> op = ops.get(i);
            String when = op.isIndeterminate() ? "@" + op.callTime() + "..?" : "@" + op.callTime() + ".." + op.returnTime();
            return "client " + op.client() + " " + model.describe(op.input(), op.output()) + " " + when;
        }

        private CheckResult result(CheckResult.Outcome outcome, long steps, String detail) {
            return new CheckResult(outcome, partition, ops.size(), steps, detail, List.of());
        }
    }
}
