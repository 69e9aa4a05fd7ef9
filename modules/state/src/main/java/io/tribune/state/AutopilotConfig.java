package io.tribune.state;

import java.util.Objects;

/**
 * The autopilot configuration stored in the replicated state ({@code /v1/operator/autopilot/configuration}),
 * so that every server applies the same rules. Durations are in milliseconds. Immutable.
 *
 * @param cleanupDeadServers      whether the leader removes failed servers from the Raft configuration
 * @param lastContactThresholdMs  longest time since a follower's last answer for it to count as healthy
 * @param maxTrailingLogs         most log entries a healthy follower may trail the leader by
 * @param serverStabilizationMs   time a new server must stay healthy before it counts as stable
 * @param redundancyZoneTag       echoed only (no redundancy zones in Tribune)
 * @param disableUpgradeMigration echoed only
 * @param upgradeVersionTag       echoed only
 * @param createIndex             raft index of the first stored configuration (ignored in commands)
 * @param modifyIndex             raft index of the last change (ignored in commands)
 */
public record AutopilotConfig(boolean cleanupDeadServers, long lastContactThresholdMs, long maxTrailingLogs,
        long serverStabilizationMs, String redundancyZoneTag, boolean disableUpgradeMigration,
        String upgradeVersionTag, long createIndex, long modifyIndex) {
    /** Longest tag string accepted, in characters. */
    public static final int MAX_TAG_CHARS = 256;

    /**
     * Checks fields.
     *
     * @throws IllegalArgumentException for a negative duration or count, or a tag longer than {@link #MAX_TAG_CHARS}
     */
    public AutopilotConfig {
        Objects.requireNonNull(redundancyZoneTag, "redundancyZoneTag");
        Objects.requireNonNull(upgradeVersionTag, "upgradeVersionTag");
        if (lastContactThresholdMs < 0 || maxTrailingLogs < 0 || serverStabilizationMs < 0) {
            throw new IllegalArgumentException("autopilot durations and MaxTrailingLogs must not be negative");
        }
        if (redundancyZoneTag.length() > MAX_TAG_CHARS || upgradeVersionTag.length() > MAX_TAG_CHARS) {
            throw new IllegalArgumentException("autopilot tags must be at most " + MAX_TAG_CHARS + " characters");
        }
    }

    /** Consul's defaults: cleanup on, 200ms, 250 entries, 10s, empty tags. */
    public static AutopilotConfig defaults() {
        return new AutopilotConfig(true, 200, 250, 10_000, "", false, "", 0, 0);
    }

    /** This configuration with the given indexes. */
    public AutopilotConfig withIndexes(long create, long modify) {
        return new AutopilotConfig(cleanupDeadServers, lastContactThresholdMs, maxTrailingLogs, serverStabilizationMs,
                redundancyZoneTag, disableUpgradeMigration, upgradeVersionTag, create, modify);
    }
}
