package io.tribune.agent.rpc;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one failure type of the request layer: a {@link Kind} that front ends map to their own codes
 * (each in one table: HTTP statuses, gRPC statuses, DNS response codes) and a message for a person.
 *
 * <p>Unless the kind says otherwise ({@link Kind#OUTCOME_UNKNOWN}, {@link Kind#TIMEOUT}), a failed
 * request changed nothing.
 */
public final class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Kind {
        /** The request is malformed or breaks a limit; nothing changed. HTTP 400. */
        BAD_REQUEST,
        /** Something the request names does not exist. HTTP 404. */
        NOT_FOUND,
        /** The caller's token does not allow it. HTTP 403. */
        PERMISSION_DENIED,
        /** The state does not allow it now (e.g. a check is critical); nothing changed. HTTP 409/500 per endpoint. */
        CONFLICT,
        /** A body or value is larger than allowed. HTTP 413. */
        TOO_LARGE,
        /** A count limit of this agent was reached (too many services, checks, cached entries). HTTP 429. */
        LIMIT,
        /** No leader was found within the hold timeout (Consul's "No cluster leader"). */
        NO_LEADER,
        /** No server of the requested datacenter is known or answered (Consul's "No path to datacenter"). */
        NO_PATH_TO_DATACENTER,
        /** A client agent knows no server of its datacenter (Consul's "No known Consul servers"). */
        NO_SERVERS,
        /**
         * A write was sent and the answer was lost (the connection broke, or the time ran out after it
         * reached a leader): it may or may not have been applied. A client retrying it should read first.
         */
        OUTCOME_UNKNOWN,
        /** The cluster did not answer in time; for a write, the outcome is unknown too. */
        TIMEOUT,
        /** A server could not be reached or is shutting down; nothing was applied. */
        UNAVAILABLE,
        /** This agent cannot do it at all (a capability its plugins lack). HTTP 501. */
        UNSUPPORTED,
        /** A bug or an unexpected failure. HTTP 500. */
        INTERNAL
    }

    private final Kind kind;

    /** A failure of {@code kind} with a message for a person. */
    public AgentException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** A failure of {@code kind} with a message and the underlying cause. */
    public AgentException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** The failure class. */
    public Kind kind() {
        return kind;
    }

    /** {@link Kind#BAD_REQUEST}. */
    public static AgentException badRequest(String message) {
        return new AgentException(Kind.BAD_REQUEST, message);
    }

    /** {@link Kind#NOT_FOUND}. */
    public static AgentException notFound(String message) {
        return new AgentException(Kind.NOT_FOUND, message);
    }

    /**
     * {@code t} itself, or the first {@link AgentException} in its cause chain past the wrappers of
     * futures; anything else becomes {@link Kind#INTERNAL} with its message.
     */
    public static AgentException of(Throwable t) {
        Throwable c = unwrap(t);
        if (c instanceof AgentException a) {
            return a;
        }
        return new AgentException(Kind.INTERNAL, c.getMessage() == null ? c.toString() : c.getMessage(), c);
    }

    /** Strips {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Kind and message, for logs. */
    @Override
    public String toString() {
        return "AgentException[" + kind + "]: " + getMessage();
    }
}
