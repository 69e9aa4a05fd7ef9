package io.tribune.api.membership;

import java.util.Objects;

/**
 * What one asked member returned to a query.
 *
 * @param member  the member's name
 * @param outcome whether it answered, its handler failed, or nothing arrived in time
 * @param answer  the answer for {@link Outcome#ANSWERED}; empty otherwise. The receiver owns it.
 * @param failure the handler's failure message for {@link Outcome#FAILED}; empty otherwise
 */
public record MemberAnswer(String member, Outcome outcome, byte[] answer, String failure) {

    /** How a member's part of a query ended. */
    public enum Outcome {
        /** Its handler answered. */
        ANSWERED,
        /**
         * Its handler failed, or it has no handler for the query's name (the message then names the
         * query), or the answer was over the size limit.
         */
        FAILED,
        /** Nothing arrived before the timeout: the member is down, unreachable, slow, or the answer was lost. */
        NO_ANSWER
    }

    public MemberAnswer {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(outcome, "outcome");
        answer = answer == null ? new byte[0] : answer;
        failure = failure == null ? "" : failure;
        if (outcome != Outcome.ANSWERED && answer.length > 0) {
            throw new IllegalArgumentException("only an answered member carries an answer");
        }
        if (outcome != Outcome.FAILED && !failure.isEmpty()) {
            throw new IllegalArgumentException("only a failed member carries a failure message");
        }
    }

    /** {@code member} answered {@code answer}. */
    public static MemberAnswer answered(String member, byte[] answer) {
        return new MemberAnswer(member, Outcome.ANSWERED, answer, "");
    }

    /** {@code member}'s handler failed with {@code message}. */
    public static MemberAnswer failed(String member, String message) {
        return new MemberAnswer(member, Outcome.FAILED, new byte[0], message);
    }

    /** Nothing arrived from {@code member} in time. */
    public static MemberAnswer noAnswer(String member) {
        return new MemberAnswer(member, Outcome.NO_ANSWER, new byte[0], "");
    }
}
