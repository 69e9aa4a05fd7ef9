package io.tribune.testkit.linearizability;

import java.util.Optional;

/**
 * A sequential specification: the states an object can be in and how one operation moves it from one
 * state to the next. The checker asks whether a concurrent history could have come from applying the
 * operations one at a time, in some order consistent with real time, to this specification.
 *
 * <p>Contract: both methods are pure functions (no side effects, same answer for the same arguments)
 * and may be called any number of times, in any order, from the checker's thread. States are values:
 * they must implement {@code equals} and {@code hashCode}, because the checker memoizes the
 * configurations it has visited, and a state passed in must not be changed.
 *
 * @param <S> the state, an immutable value
 * @param <I> the input of an operation (what the client asked for)
 * @param <O> the output of an operation (what the client was told)
 */
public interface Model<S, I, O> {

    /** The state before any operation; never {@code null}. */
    S initialState();

    /**
     * Applies one operation to {@code state}.
     *
     * @param state  the state before the operation
     * @param input  what the client asked for; never {@code null}
     * @param output what the client was told, or {@code null} when the client never learned the
     *               outcome (a timeout, a connection cut after sending); for such an operation the
     *               model must accept whatever the sequential specification would have answered, so
     *               this method must never return empty for a {@code null} output
     * @return the state after the operation when {@code output} is what the specification answers
     *         in {@code state}; empty when it is not (the operation cannot be linearized here)
     */
    Optional<S> step(S state, I input, O output);

    /**
     * A short text for an operation in failure reports; by default {@code input -> output}.
     *
     * @param input  the operation's input
     * @param output its output, or {@code null} when unknown
     */
    default String describe(I input, O output) {
        return input + " -> " + (output == null ? "?" : output);
    }
}
