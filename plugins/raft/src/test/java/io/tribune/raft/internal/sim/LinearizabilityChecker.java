package io.tribune.raft.internal.sim;

import io.tribune.testkit.linearizability.CheckResult;
import io.tribune.testkit.linearizability.Operation;
import io.tribune.testkit.linearizability.RegisterModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a history of {@link KvOp}s for linearizability against a KV register model, key by key
 * (linearizability is compositional: Herlihy and Wing 1990), with the testkit's checker
 * ({@link io.tribune.testkit.linearizability.LinearizabilityChecker}: Wing and Gong's search with
 * Lowe's memoization, as Porcupine does), which the agent's simulation and the fault harness use too.
 * This class only translates the Raft simulation's records into the testkit's register operations.
 *
 * <p>Operations with an unknown outcome become indeterminate ones: they may take effect at any
 * point after their invocation, or never.
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
        List<Operation<RegisterModel.Input<String>, RegisterModel.Output<String>>> ops = new ArrayList<>(history.size());
        for (KvOp op : history) {
            ops.add(translate(op));
        }
        CheckResult r = io.tribune.testkit.linearizability.LinearizabilityChecker.checkPartitioned(
                new RegisterModel<String>(), ops, RegisterModel.Input::key, maxSteps);
        return switch (r.outcome()) {
            case LINEARIZABLE -> Result.OK;
            case UNKNOWN -> Result.GAVE_UP;
            case NOT_LINEARIZABLE -> Result.VIOLATION;
        };
    }

    private static Operation<RegisterModel.Input<String>, RegisterModel.Output<String>> translate(KvOp op) {
        RegisterModel.Input<String> in = switch (op.kind()) {
            case PUT -> new RegisterModel.Write<>(op.key(), op.arg1());
            case CAS -> new RegisterModel.Cas<>(op.key(), op.arg1(), op.arg2());
            case GET -> new RegisterModel.Read<>(op.key());
        };
        if (op.unknown()) {
            return Operation.indeterminate(0, in, op.invoke());
        }
        RegisterModel.Output<String> out = switch (op.kind()) {
            case PUT -> new RegisterModel.Ok<>();
            case CAS -> new RegisterModel.CasResult<>("ok".equals(op.output()));
            case GET -> new RegisterModel.ReadResult<>(op.output());
        };
        return Operation.completed(0, in, out, op.invoke(), op.response());
    }
}
