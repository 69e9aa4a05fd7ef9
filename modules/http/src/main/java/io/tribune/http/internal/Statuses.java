package io.tribune.http.internal;

import io.tribune.agent.rpc.AgentException;

/**
 * The HTTP status of each kind of request-layer failure: the one table of this front end. Consul
 * answers most server-side refusals (no leader, no path to a datacenter, a state that does not allow
 * the change) with a 500 and a plain-text reason, so those kinds map to 500 too.
 */
final class Statuses {
    private Statuses() {
    }

    /** The status for {@code kind}. */
    static int of(AgentException.Kind kind) {
        return switch (kind) {
            case BAD_REQUEST -> 400;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case TOO_LARGE -> 413;
            case LIMIT -> 429;
            case UNSUPPORTED -> 501;
            case CONFLICT, NO_LEADER, NO_PATH_TO_DATACENTER, NO_SERVERS, OUTCOME_UNKNOWN, TIMEOUT, UNAVAILABLE,
                 INTERNAL -> 500;
        };
    }
}
