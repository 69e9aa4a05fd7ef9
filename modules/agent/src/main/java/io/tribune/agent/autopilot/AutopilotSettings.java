package io.tribune.agent.autopilot;

import io.tribune.agent.config.ConfigException;
import io.tribune.api.PluginConfig;
import io.tribune.state.AutopilotConfig;
import io.tribune.state.StateStore;
import java.time.Duration;

/**
 * The autopilot configuration in force: the one stored through Raft once an operator set one, else
 * the agent's configured {@code autopilot} object ({@code autopilot.*} properties, see
 * {@code ConfigLoader}), else Consul's defaults. Stateless.
 */
public final class AutopilotSettings {
    /** Property of {@code autopilot.cleanup_dead_servers}. */
    public static final String CLEANUP = "autopilot.cleanup-dead-servers";
    /** Property of {@code autopilot.last_contact_threshold}. */
    public static final String LAST_CONTACT = "autopilot.last-contact-threshold";
    /** Property of {@code autopilot.max_trailing_logs}. */
    public static final String MAX_TRAILING = "autopilot.max-trailing-logs";
    /** Property of {@code autopilot.server_stabilization_time}. */
    public static final String STABILIZATION = "autopilot.server-stabilization-time";

    private AutopilotSettings() {
    }

    /**
     * The configured defaults (indexes 0).
     *
     * @throws ConfigException when a value is malformed or negative
     */
    public static AutopilotConfig defaults(PluginConfig pc) {
        AutopilotConfig d = AutopilotConfig.defaults();
        try {
            return new AutopilotConfig(pc.getBoolean(CLEANUP, d.cleanupDeadServers()),
                    pc.getDuration(LAST_CONTACT, Duration.ofMillis(d.lastContactThresholdMs())).toMillis(),
                    pc.getLong(MAX_TRAILING, d.maxTrailingLogs()),
                    pc.getDuration(STABILIZATION, Duration.ofMillis(d.serverStabilizationMs())).toMillis(),
                    "", false, "", 0, 0);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("autopilot settings: " + e.getMessage(), e);
        }
    }

    /** The stored configuration when there is one, else {@code defaults}. Lock-free; any thread. */
    public static AutopilotConfig effective(StateStore state, AutopilotConfig defaults) {
        return state.autopilotConfig().orElse(defaults);
    }
}
