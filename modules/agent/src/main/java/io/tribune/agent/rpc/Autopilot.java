package io.tribune.agent.rpc;

import io.tribune.state.AutopilotConfig;
import java.util.List;
import java.util.Objects;

/**
 * Autopilot operations ({@code /v1/operator/autopilot/*}, Consul's {@code Operator.Autopilot*}). ACL:
 * {@code operator:read} to read, {@code operator:write} to set.
 */
public final class Autopilot {
    private Autopilot() {
    }

    /** Every autopilot operation (for the request layer's routing and ACL tables). */
    public sealed interface AutopilotOp<R> extends Op<R> permits GetConfig, SetConfig, Health {
    }

    /**
     * The autopilot configuration in force: the stored one, or the answering server's configured
     * defaults (indexes 0) until one is stored.
     */
    public record GetConfig() implements Op.Read<AutopilotConfig>, AutopilotOp<AutopilotConfig> {
    }

    /**
     * Stores a configuration through Raft. Answers whether it was stored: false only when
     * {@code cas >= 0} and the stored configuration's modify index differs (0 when none is stored).
     *
     * @param config the configuration (its indexes are ignored)
     * @param cas    the expected modify index, or -1 for an unconditional write
     */
    public record SetConfig(AutopilotConfig config, long cas) implements Op.Write<Boolean>, AutopilotOp<Boolean> {
        /** Checks fields. */
        public SetConfig {
            Objects.requireNonNull(config, "config");
            if (cas < -1) {
                throw AgentException.badRequest("cas must be an index (0 or more)");
            }
        }
    }

    /**
     * The servers' health as the leader sees it. A write in the request layer's sense only so that it
     * is always answered by the leader (followers forward it); it proposes nothing.
     */
    public record Health() implements Op.Write<HealthReport>, AutopilotOp<HealthReport> {
    }

    /**
     * Consul's {@code OperatorHealthReply}.
     *
     * @param healthy          whether every server is healthy
     * @param failureTolerance healthy voters minus a quorum of the voters (at least 0)
     * @param servers          one per server of the Raft configuration, in configuration order
     */
    public record HealthReport(boolean healthy, int failureTolerance, List<ServerHealth> servers) {
        /** Copies the list. */
        public HealthReport {
            servers = List.copyOf(servers);
        }
    }

    /**
     * One server's health.
     *
     * @param id                the server's node ID
     * @param name              its node name (its Raft id)
     * @param address           its Raft address, {@code host:port}
     * @param serfStatus        its gossip status ({@code alive}, {@code failed}, {@code left}, {@code none})
     * @param version           its build version tag, empty when unknown
     * @param leader            whether it leads
     * @param lastContactMillis milliseconds since it last answered the leader (0 for the leader; -1 never)
     * @param lastTerm          the term of its last known entry (the leader's term once it matched any)
     * @param lastIndex         its last known log index (the leader's match index for it)
     * @param healthy           alive, recent contact and not trailing by more than MaxTrailingLogs
     * @param voter             whether it votes
     * @param stableSinceMillis wall-clock milliseconds since the epoch since it has been healthy (0 unknown)
     */
    public record ServerHealth(String id, String name, String address, String serfStatus, String version,
            boolean leader, long lastContactMillis, long lastTerm, long lastIndex, boolean healthy, boolean voter,
            long stableSinceMillis) {
        /** Checks the strings are present. */
        public ServerHealth {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(serfStatus, "serfStatus");
            Objects.requireNonNull(version, "version");
        }
    }
}
