package io.tribune.raft.internal.sim;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a history of {@link KvOp}s for linearizability against a KV register model, key by key
 * (linearizability is compositional: Herlihy and Wing 1990). The search is Wing and Gong's
 * (1993) with Lowe's memoization of (linearized set, state) pairs, as Porcupine does: walk the
 * call/return events in time order, tentatively linearize a call whose effect the model accepts,
 * backtrack when a return is reached whose call was not linearized.
 *
 * <p>Operations with an unknown outcome return at infinity with any output accepted, so they may
 * take effect at any point after their invocation, or never.
 */
final class LinearizabilityChecker {
    /** Result of a check. */
    enum Result { OK, VIOLATION, GAVE_UP }

    private final long maxSteps;

    LinearizabilityChecker(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    /** Checks every key's sub-history; the worst result wins (VIOLATION over GAVE_UP over OK). */
    Result check(List<KvOp> history) {
        Map<String, List<KvOp>> byKey = new LinkedHashMap<>();
        for (KvOp op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        Result worst = Result.OK;
        for (List<KvOp> ops : byKey.values()) {
            Result r = checkKey(ops);
            if (r == Result.VIOLATION) {
                return r;
            }
            if (r == Result.GAVE_UP) {
                worst = r;
            }
        }
        return worst;
    }

    private static final class Node {
        final int op;
        final boolean call;
        final long time;
        Node prev;
        Node next;
        Node match;

        Node(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /** The model: returns the new value, or a sentinel when {@code op} cannot happen in {@code value}. */
    private static final Object IMPOSSIBLE = new Object();

    private static Object step(String value, KvOp op) {
        switch (op.kind()) {
            case PUT:
                return op.arg1();
            case CAS:
                boolean matches = Objects.equals(value, op.arg1());
                if (op.unknown()) {
                    return matches ? op.arg2() : value;
                }
                if ("ok".equals(op.output())) {
                    return matches ? op.arg2() : IMPOSSIBLE;
                }
                return matches ? IMPOSSIBLE : value;
            case GET:
                if (op.unknown()) {
                    return value;
                }
                return Objects.equals(value, op.output()) ? value : IMPOSSIBLE;
            default:
                throw new IllegalStateException();
        }
    }

    private Result checkKey(List<KvOp> ops) {
        int n = ops.size();
        List<Node> events = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            KvOp op = ops.get(i);
            Node c = new Node(i, true, op.invoke());
            Node r = new Node(i, false, op.response());
            c.match = r;
            events.add(c);
            events.add(r);
        }
        // Calls before returns at equal times: treat touching operations as concurrent (permissive).
        events.sort(Comparator.comparingLong((Node e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
        Node head = new Node(-1, true, Long.MIN_VALUE);
        Node prev = head;
        for (Node e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }
        BitSet linearized = new BitSet(n);
        Set<List<Object>> cache = new HashSet<>();
        List<Object[]> stack = new ArrayList<>();
        String state = null;
        Node entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (++steps > maxSteps) {
                return Result.GAVE_UP;
            }
            if (entry.call) {
                Object next = step(state, ops.get(entry.op));
                if (next != IMPOSSIBLE) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.op);
                    if (cache.add(List.of(after, next == null ? "\u0000<absent>" : next))) {
                        stack.add(new Object[] {entry, state});
                        state = (String) next;
                        linearized.set(entry.op);
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                if (stack.isEmpty()) {
                    return Result.VIOLATION;
                }
                Object[] top = stack.remove(stack.size() - 1);
                Node undone = (Node) top[0];
                state = (String) top[1];
                linearized.clear(undone.op);
                unlift(undone);
                entry = undone.next;
            }
        }
        return Result.OK;
    }

    private static void lift(Node call) {
        call.prev.next = call.next;
        if (call.next != null) {
            call.next.prev = call.prev;
        }
        Node ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) {
            ret.next.prev = ret.prev;
        }
    }

    private static void unlift(Node call) {
        Node ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) {
            ret.next.prev = ret;
        }
        call.prev.next = call;
        if (call.next != null) {
            call.next.prev = call;
        }
    }
}
