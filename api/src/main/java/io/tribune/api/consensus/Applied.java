package io.tribune.api.consensus;

/**
 * The outcome of a committed command.
 *
 * @param index  the log index it was committed at
 * @param result what {@link StateMachine#apply} returned
 */
public record Applied(long index, byte[] result) {
}
