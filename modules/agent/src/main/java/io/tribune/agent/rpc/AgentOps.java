package io.tribune.agent.rpc;

import io.tribune.agent.config.AgentConfig;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.Member;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.NodeService;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Operations on the agent that receives them (Consul's {@code /v1/agent/*}): its own services and
 * checks (kept in its local state, the source of truth that anti-entropy writes to the catalog), its
 * gossip pools, and leaving. Never forwarded.
 */
public final class AgentOps {
    private AgentOps() {
    }

    /** A check with how it gets its status. */
    public record CheckDefinition(HealthCheck check, CheckType type) {
        public CheckDefinition {
            Objects.requireNonNull(check, "check");
            Objects.requireNonNull(type, "type");
        }
    }

    /** A service with its checks. */
    public record ServiceDefinition(NodeService service, List<CheckDefinition> checks) {
        public ServiceDefinition {
            Objects.requireNonNull(service, "service");
            checks = List.copyOf(checks);
        }
    }

    /**
     * What {@code /v1/agent/self} shows.
     *
     * @param config  the agent's configuration
     * @param nodeId  its node ID (a UUID derived from the node name)
     * @param runtime the plugin runtime ({@code felix} or {@code jpms})
     * @param plugins the plugin chosen per SPI area
     * @param member  the agent in its LAN pool
     * @param stats   figures by section ({@code raft}, {@code serf_lan}, {@code rpc}, {@code consul}, ...)
     */
    public record Info(AgentConfig config, String nodeId, String runtime, Map<SpiKind, String> plugins, Member member,
                       Map<String, Map<String, String>> stats) {
    }

    /** This agent: configuration, member, figures. */
    public record Self() implements Op.LocalOp<Info> {
    }

    /** The members of the LAN pool, or with {@code wan} of the WAN pool (servers only). */
    public record Members(boolean wan) implements Op.LocalOp<List<Member>> {
    }

    /** The agent's own services. */
    public record Services() implements Op.LocalOp<List<NodeService>> {
    }

    /** The agent's own checks, with their service's name and tags filled in. */
    public record LocalChecks() implements Op.LocalOp<List<HealthCheck>> {
    }

    /** Adds or replaces a service with its checks; checks of the service not named again are dropped. */
    public record RegisterService(ServiceDefinition definition) implements Op.LocalOp<Boolean> {
        public RegisterService {
            Objects.requireNonNull(definition, "definition");
        }
    }

    /** Removes a service and its checks; {@code NOT_FOUND} when the agent has no such service. */
    public record DeregisterService(String id) implements Op.LocalOp<Boolean> {
        public DeregisterService {
            Fields.name("service ID", id);
        }
    }

    /** Adds or replaces a check. */
    public record RegisterCheck(CheckDefinition definition) implements Op.LocalOp<Boolean> {
        public RegisterCheck {
            Objects.requireNonNull(definition, "definition");
        }
    }

    /** Removes a check; {@code NOT_FOUND} when the agent has no such check. */
    public record DeregisterCheck(String id) implements Op.LocalOp<Boolean> {
        public DeregisterCheck {
            Fields.name("check ID", id);
        }
    }

    /** Sets the status of a TTL check and restarts its TTL (Consul's pass, warn, fail and update). */
    public record UpdateTtl(String id, HealthStatus status, String output) implements Op.LocalOp<Boolean> {
        public UpdateTtl {
            Fields.name("check ID", id);
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(output, "output");
        }
    }

    /** Puts the node in maintenance (a critical check) or takes it out. */
    public record NodeMaintenance(boolean enable, String reason) implements Op.LocalOp<Boolean> {
        public NodeMaintenance {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Puts one of the agent's services in maintenance or takes it out; {@code NOT_FOUND} for an unknown service. */
    public record ServiceMaintenance(String id, boolean enable, String reason) implements Op.LocalOp<Boolean> {
        public ServiceMaintenance {
            Fields.name("service ID", id);
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Joins the LAN pool (or with {@code wan} the WAN pool) through {@code address}; answers the members contacted. */
    public record Join(String address, boolean wan) implements Op.LocalOp<Integer> {
        public Join {
            Fields.name("address", address);
        }
    }

    /**
     * Marks a failed member as left (with {@code prune}, forgets it at once). On a server, a member of
     * the WAN pool ({@code <node>.<dc>}) is forced out of it too, as is this node's own WAN name when
     * the LAN member is; with {@code wan}, only the WAN pool is touched (servers only).
     */
    public record ForceLeave(String node, boolean prune, boolean wan) implements Op.LocalOp<Boolean> {
        public ForceLeave {
            Fields.name("node name", node);
        }

        /** A force-leave of the pools the member is in. */
        public ForceLeave(String node, boolean prune) {
            this(node, prune, false);
        }
    }

    /** Leaves the cluster gracefully and shuts the agent down; answers at once. */
    public record Leave() implements Op.LocalOp<Boolean> {
    }

    /**
     * Re-reads the agent's config files and flags and applies what can change while running
     * (config feature; Consul's {@code /v1/agent/reload}); answers the keys that need a restart.
     * A bad new config is a {@code BAD_REQUEST} that changes nothing.
     */
    public record Reload() implements Op.LocalOp<List<String>> {
    }

    // ---- plugins feature: what runs, and live update

    /**
     * The plugin instances this agent runs, one per SPI area it uses, in area order; shown by
     * {@code /v1/agent/self} and {@code tribune plugins}. Needs agent:read.
     */
    public record Plugins() implements Op.LocalOp<List<io.tribune.agent.plugins.RunningPlugin>> {
    }

    /**
     * Replaces the running plugin {@code name} with a new revision of its code (from {@code jar}, a
     * path on the agent's machine, or from where it was loaded) and starts it with the same
     * configuration; answers the new instances. Only runtimes and SPI areas that can hand over live
     * do it (docs/plugins.md); the others fail with {@code UNSUPPORTED} and change nothing. Needs
     * operator:write.
     *
     * @param name the plugin's name as {@code tribune plugins} shows it
     * @param jar  the new jar, absolute; empty to reload from the plugin's own location
     */
    public record UpdatePlugin(String name, Optional<String> jar)
            implements Op.LocalOp<List<io.tribune.agent.plugins.RunningPlugin>> {
        public UpdatePlugin {
            Fields.name("plugin name", name);
            Objects.requireNonNull(jar, "jar");
            if (jar.isPresent() && (jar.get().isEmpty() || jar.get().length() > 4096 || jar.get().indexOf('\0') >= 0)) {
                throw new AgentException(AgentException.Kind.BAD_REQUEST, "jar must be a path of 1 to 4096 characters");
            }
        }
    }
}
