package io.tribune.api.membership;

import java.util.Objects;

/**
 * A change of membership.
 *
 * @param type   what happened
 * @param member the member's state after the change
 */
public record MemberEvent(Type type, Member member) {
    public MemberEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(member, "member");
    }

    /** Kinds of change, as in Serf. */
    public enum Type {
        /** A member appeared (or came back after failing or leaving). */
        JOIN,
        /** A member's tags or address changed. */
        UPDATE,
        /** A member left gracefully. */
        LEAVE,
        /** A member was declared failed. */
        FAILED,
        /** A failed or left member was removed from the list after the reap timeout, or force-left with prune. */
        REAP
    }
}
