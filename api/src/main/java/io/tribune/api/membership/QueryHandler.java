package io.tribune.api.membership;

import java.util.concurrent.CompletableFuture;

/**
 * Answers the queries of one name on the local member; registered with
 * {@link MemberQueries#handle}.
 *
 * <p><b>Threading.</b> Called on a plugin thread, one call at a time per membership instance, in
 * the order the queries arrived (the same discipline as {@link MembershipListener}). It must not
 * block: it starts the work and returns a future, which may be completed later from any thread.
 */
@FunctionalInterface
public interface QueryHandler {

    /**
     * Answers one query.
     *
     * @return a future of the answer (at most {@link QueryLimits#maxAnswerBytes()} bytes; the
     *         caller does not modify the array). Completing it exceptionally, throwing, returning
     *         {@code null}, or completing it with {@code null} or an oversized answer reports this
     *         member as {@link MemberAnswer.Outcome#FAILED} with a message saying which. Completing
     *         it after the query's timeout counts as no answer.
     */
    CompletableFuture<byte[]> answer(Query query);
}
