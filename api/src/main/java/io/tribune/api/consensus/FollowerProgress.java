package io.tribune.api.consensus;

import java.time.Duration;
import java.util.Objects;

/**
 * What a leader knows of one follower's replication, as reported by {@link Consensus#followerProgress()}
 * (read by autopilot's server health). Immutable.
 *
 * @param id          the follower's server id
 * @param matchIndex  the highest log index known to be stored on the follower (0 when none is known)
 * @param lastContact time since the follower last answered the leader, measured on the plugin's clock;
 *                    {@code Duration.ofMillis(Long.MAX_VALUE)} when it never answered this leader
 */
public record FollowerProgress(String id, long matchIndex, Duration lastContact) {
    /** Checks fields; {@code matchIndex} must not be negative. */
    public FollowerProgress {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(lastContact, "lastContact");
        if (matchIndex < 0) {
            throw new IllegalArgumentException("matchIndex must not be negative");
        }
    }
}
