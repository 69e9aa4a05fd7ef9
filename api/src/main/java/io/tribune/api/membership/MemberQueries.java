package io.tribune.api.membership;

import io.tribune.api.Experimental;
import io.tribune.api.Subscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Optional capability of a {@link Membership}: request/response to every member of the pool
 * (Serf's queries). A query is disseminated to every member; the handler registered for its name
 * on each member answers straight to the querying node, which collects the answers until every
 * asked member has answered or the timeout passes. The agent uses it for operations that must
 * reach every agent, such as gossip keyring changes, without an RPC port on each agent.
 *
 * <p><b>Who is asked.</b> The members that are {@link MemberStatus#ALIVE} or
 * {@link MemberStatus#SUSPECT} in the local view when the query is sent, the local member
 * included. Failed, leaving and left members are not asked and do not appear in the result.
 * Members that join later may receive the query and run their handler, but their answers are
 * not collected.
 *
 * <p><b>Completion.</b> The future of {@link #query} completes when every asked member has
 * answered (or its handler failed), or when the timeout passes, whichever comes first; members
 * without an answer by then are {@link MemberAnswer.Outcome#NO_ANSWER}. It never completes
 * exceptionally once the query was sent, except when the instance closes or finishes leaving
 * first ({@link IllegalStateException}). Delivery is best effort: a member that did not get the
 * query, or whose answer was lost, is simply reported as not answering; plugins say whether they
 * retry.
 *
 * <p><b>Duplicates.</b> A member's handler runs at most once per query, and the result holds at
 * most one answer per member (the first one to arrive).
 *
 * <p><b>No handler.</b> A member that has no handler for the query's name answers
 * {@link MemberAnswer.Outcome#FAILED} with a message naming the query, so that the querying node
 * can tell "up but not handling" from "down" without waiting for the timeout.
 *
 * <p><b>Ordering.</b> None between queries: two queries may be handled on a member in either
 * order, and their futures may complete in either order. Each member runs its handlers one at a
 * time (see {@link QueryHandler}).
 *
 * <p><b>Threading.</b> Thread-safe. Handlers run on a plugin thread, one at a time per instance;
 * the futures returned by {@link #query} complete on a plugin thread. Neither may block.
 *
 * <p><b>Sizes.</b> Bounded by {@link #limits()}; an oversized name or payload, or a timeout out of
 * range, is refused with {@link IllegalArgumentException} before anything is sent.
 */
@Experimental(until = "2027-06-30")
public interface MemberQueries {

    /** This instance's bounds; constant for the instance's life. */
    QueryLimits limits();

    /**
     * Registers the local member's handler for queries named {@code name}. It may be called before
     * {@link Membership#start()}, so that no query is missed. Closing the returned subscription
     * unregisters it; queries arriving afterwards are answered as having no handler.
     *
     * @throws IllegalArgumentException when the name is empty or longer than {@link QueryLimits#maxNameBytes()}
     * @throws IllegalStateException    when a handler is already registered for {@code name}, or the
     *                                  instance is closed
     */
    Subscription handle(String name, QueryHandler handler);

    /**
     * Sends a query to every alive and suspect member (the local one included) and collects their
     * answers. Never blocks.
     *
     * @param name    the query name, 1 .. {@link QueryLimits#maxNameBytes()} bytes of UTF-8
     * @param payload at most {@link QueryLimits#maxPayloadBytes()} bytes, copied; {@code null} is empty
     * @param timeout how long to collect answers, positive and at most {@link QueryLimits#maxTimeout()}
     * @return the result, complete when every asked member has answered or at the timeout; failed
     *         with {@link IllegalStateException} when the instance is not started, closed or has
     *         left, or has too many queries of its own in flight (the plugin documents how many)
     * @throws IllegalArgumentException for a name, payload or timeout out of bounds; nothing is sent
     */
    CompletableFuture<QueryResult> query(String name, byte[] payload, Duration timeout);
}
