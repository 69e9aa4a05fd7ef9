package io.tribune.testkit.linearizability;

import java.util.Objects;

/**
 * One operation of a history: which client ran it, what it asked, when it was called, and either when
 * it returned with which output, or that its outcome is unknown.
 *
 * <p>Times are plain numbers on one monotonic clock shared by all clients of a history (for example
 * {@code System.nanoTime()} taken before sending and after the answer arrived); only their order
 * matters. Two operations whose intervals touch (one returns at the instant the other is called)
 * count as concurrent, which can only make the checker more lenient, never report a false violation.
 *
 * <p>An operation with an unknown outcome ({@link #isIndeterminate()}) may have taken effect at any
 * instant after its call, or never: the checker treats it as returning after everything else, as
 * Porcupine does, and lets the model answer for it.
 *
 * @param client     who ran it (for reports only; operations of one client need not be sequential)
 * @param input      what the client asked for; not {@code null}
 * @param output     what the client was told; {@code null} exactly when the outcome is unknown
 * @param callTime   when it was called
 * @param returnTime when it returned; {@link Long#MAX_VALUE} when the outcome is unknown
 * @param <I>        the input type of the model
 * @param <O>        the output type of the model
 */
public record Operation<I, O>(int client, I input, O output, long callTime, long returnTime) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException     when {@code input} is null
     * @throws IllegalArgumentException when {@code returnTime < callTime}, or when exactly one of
     *                                  "output is null" and "returnTime is Long.MAX_VALUE" holds
     */
    public Operation {
        Objects.requireNonNull(input, "input");
        if (returnTime < callTime) {
            throw new IllegalArgumentException("operation returns (" + returnTime + ") before it is called ("
                    + callTime + "): " + input);
        }
        if ((output == null) != (returnTime == Long.MAX_VALUE)) {
            throw new IllegalArgumentException("an operation has an unknown outcome exactly when it has no return"
                    + " time; use Operation.indeterminate for " + input);
        }
    }

    /**
     * An operation that returned {@code output} to its client.
     *
     * @throws IllegalArgumentException when {@code output} is null, or {@code returnTime} is before
     *                                  {@code callTime} or is {@link Long#MAX_VALUE}
     */
    public static <I, O> Operation<I, O> completed(int client, I input, O output, long callTime, long returnTime) {
        if (output == null) {
            throw new IllegalArgumentException("a completed operation needs an output: " + input);
        }
        if (returnTime == Long.MAX_VALUE) {
            throw new IllegalArgumentException("Long.MAX_VALUE is reserved for an unknown outcome: " + input);
        }
        return new Operation<>(client, input, output, callTime, returnTime);
    }

    /**
     * An operation whose outcome its client never learned (timeout, connection cut after sending, an
     * answer saying the outcome is unknown): it may have taken effect, once, at any instant after
     * {@code callTime}, or not at all.
     */
    public static <I, O> Operation<I, O> indeterminate(int client, I input, long callTime) {
        return new Operation<>(client, input, null, callTime, Long.MAX_VALUE);
    }

    /** Whether the outcome is unknown. */
    public boolean isIndeterminate() {
        return output == null;
    }
}
