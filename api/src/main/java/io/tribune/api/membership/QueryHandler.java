package io.tribune.api.membership;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

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

    /**
     * Runs a member's handler on a query and reports the outcome the way {@link #answer} promises:
     * {@code done} is called once, either with a copy of the answer and {@code null}, or with
     * {@code null} and a message that says why there is none (no handler, the handler threw,
     * returned no future, failed it, or completed it with {@code null}). Checking the answer's size
     * is left to the caller, whose limits apply. For membership plugins, so that all of them treat
     * handlers alike.
     *
     * @param handler the handler registered for the query's name, or {@code null} if there is none
     * @since SPI 1.2
     */
    static void run(QueryHandler handler, Query query, BiConsumer<byte[], String> done) {
        String name = query.name();
        if (handler == null) {
            done.accept(null, "no handler for query '" + name + "'");
            return;
        }
        CompletableFuture<byte[]> f;
        try {
            f = handler.answer(query);
        } catch (RuntimeException e) {
            System.getLogger(QueryHandler.class.getName()).log(System.Logger.Level.WARNING,
                    "handler of query '" + name + "' threw", e);
            done.accept(null, "handler of query '" + name + "' threw: " + describe(e));
            return;
        }
        if (f == null) {
            done.accept(null, "handler of query '" + name + "' returned no future");
            return;
        }
        f.whenComplete((answer, err) -> {
            if (err != null) {
                done.accept(null, describe(err));
            } else if (answer == null) {
                done.accept(null, "handler of query '" + name + "' answered null");
            } else {
                done.accept(answer.clone(), null);
            }
        });
    }

    private static String describe(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c.getMessage() != null ? c.getMessage() : c.getClass().getName();
    }
}
