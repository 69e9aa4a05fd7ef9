package io.tribune.api.consensus;

/**
 * A consensus operation failed. A timeout means the outcome is unknown: the command may still
 * commit later.
 */
public class ConsensusException extends RuntimeException {
    public ConsensusException(String message) {
        super(message);
    }

    public ConsensusException(String message, Throwable cause) {
        super(message, cause);
    }
}
