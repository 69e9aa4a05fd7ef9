package io.tribune.testkit.linearizability;

import java.util.List;
import java.util.Objects;

/**
 * The verdict of a check: linearizable, not linearizable (with what could not be placed), or unknown
 * because the search reached its bound. For a partitioned check, the verdict is the worst over the
 * partitions (not linearizable before unknown before linearizable) and {@link #partitions()} holds
 * each partition's own result, in the order the partitions first appear in the history.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param outcome    the verdict
 * @param partition  the partition this result is about ({@code null} for a whole, unpartitioned
 *                   history, or for the summary of a partitioned check when nothing failed)
 * @param operations how many operations were checked
 * @param steps      how many model steps the search took (over all partitions for a summary)
 * @param detail     for a failure or an unknown verdict, a human-readable account: the longest
 *                   linearizable prefix found and the operation that could not be placed after it;
 *                   empty otherwise
 * @param partitions per-partition results of a partitioned check; empty for a single check
 */
public record CheckResult(Outcome outcome, Object partition, int operations, long steps, String detail,
                          List<CheckResult> partitions) {

    /** The verdict of a check. */
    public enum Outcome {
        /** Some order of the operations respects real time and the model. */
        LINEARIZABLE,
        /** The search reached its step bound before it could decide. */
        UNKNOWN,
        /** No order of the operations respects both real time and the model. */
        NOT_LINEARIZABLE
    }

    /** Validates and copies. */
    public CheckResult {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        partitions = List.copyOf(partitions);
    }

    /** Whether the verdict is {@link Outcome#LINEARIZABLE}. */
    public boolean isLinearizable() {
        return outcome == Outcome.LINEARIZABLE;
    }

    @Override
    public String toString() {
        String where = partition == null ? "" : " partition=" + partition;
        return outcome + where + " operations=" + operations + " steps=" + steps
                + (detail.isEmpty() ? "" : ": " + detail);
    }
}
