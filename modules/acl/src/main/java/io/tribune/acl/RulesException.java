package io.tribune.acl;

/** Rules that cannot be parsed or break a limit; the message names the rule and the reason. */
public final class RulesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with a message for the person who wrote the rules. */
    public RulesException(String message) {
        super(message);
    }

    /** A failure with a message and the parser's own error. */
    public RulesException(String message, Throwable cause) {
        super(message, cause);
    }
}
