package io.tribune.api.membership;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The outcome of one {@link MemberQueries#query}: one {@link MemberAnswer} for every member that
 * was asked, keyed by member name. Members that were not asked (they joined later, or had failed
 * or left when the query was sent) never appear, even if they happened to answer.
 *
 * @param name    the query name
 * @param answers every asked member's answer, keyed by its name; iterated in name order; immutable
 */
public record QueryResult(String name, Map<String, MemberAnswer> answers) {
    public QueryResult {
        Objects.requireNonNull(name, "name");
        TreeMap<String, MemberAnswer> sorted = new TreeMap<>();
        for (Map.Entry<String, MemberAnswer> e : answers.entrySet()) {
            MemberAnswer a = Objects.requireNonNull(e.getValue(), "answer");
            if (!a.member().equals(e.getKey())) {
                throw new IllegalArgumentException("answer of '" + a.member() + "' filed under '" + e.getKey() + "'");
            }
            sorted.put(e.getKey(), a);
        }
        answers = Collections.unmodifiableMap(sorted);
    }

    /** How many members were asked (the local member included): alive and suspect members at send time. */
    public int asked() {
        return answers.size();
    }

    /** How many asked members ended with {@code outcome}. */
    public int count(MemberAnswer.Outcome outcome) {
        int n = 0;
        for (MemberAnswer a : answers.values()) {
            if (a.outcome() == outcome) {
                n++;
            }
        }
        return n;
    }

    /** The answer of {@code member}, or {@code null} when it was not asked. */
    public MemberAnswer answer(String member) {
        return answers.get(member);
    }
}
