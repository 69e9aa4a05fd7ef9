package io.tribune.api.membership;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of one instance's {@link MemberQueries}: what {@link MemberQueries#query} accepts and
 * how large an answer may be. A plugin states its own limits; each may be smaller than
 * {@link #DEFAULT} (for example when a UDP packet must hold the whole query), never larger than
 * what the plugin can carry.
 *
 * @param maxNameBytes    longest query name, in UTF-8 bytes
 * @param maxPayloadBytes largest query payload, in bytes
 * @param maxAnswerBytes  largest answer a handler may return, in bytes; a larger answer is reported
 *                        as that member's failure. Failure messages are cut to this many bytes too.
 * @param maxTimeout      longest timeout a query may ask for
 */
public record QueryLimits(int maxNameBytes, int maxPayloadBytes, int maxAnswerBytes, Duration maxTimeout) {

    /**
     * The defaults, and the largest values Tribune's own plugins accept.
     *
     * <ul>
     * <li>name: 128 bytes, the bound of a node name; query names are short identifiers such as
     *     {@code tribune-keyring}.</li>
     * <li>payload and answer: 1 KiB each, as Serf's default query and response size limits. A
     *     query and an answer then each fit one 1,400-byte UDP packet together with their headers
     *     (and the encryption envelope), so neither needs fragmentation, and the answers that
     *     converge on the querying node stay small. A keyring listing (at most 16 keys of 44
     *     base64 characters) fits with room to spare.</li>
     * <li>timeout: 1 minute. A query is an interactive fan-out; a member that has not answered
     *     within a minute is better reported than waited for, and the bound caps how long the
     *     querying node and every member hold the query's state.</li>
     * </ul>
     */
    public static final QueryLimits DEFAULT = new QueryLimits(128, 1024, 1024, Duration.ofMinutes(1));

    public QueryLimits {
        Objects.requireNonNull(maxTimeout, "maxTimeout");
        if (maxNameBytes < 1 || maxPayloadBytes < 0 || maxAnswerBytes < 0) {
            throw new IllegalArgumentException("query limits must be positive: name " + maxNameBytes + ", payload "
                    + maxPayloadBytes + ", answer " + maxAnswerBytes);
        }
        if (maxTimeout.isNegative() || maxTimeout.isZero()) {
            throw new IllegalArgumentException("query timeout limit must be positive, got " + maxTimeout);
        }
    }
}
