package io.tribune.api.membership;

/**
 * Receives membership and user events. Calls come from one plugin thread at a time, in the order
 * the local node learned of the events; they must not block.
 */
public interface MembershipListener {

    /** A member joined, changed, left, failed or was reaped. */
    default void onMemberEvent(MemberEvent event) {
    }

    /** A user event arrived (once per (name, lamport time), also on the sender). */
    default void onUserEvent(UserEvent event) {
    }
}
