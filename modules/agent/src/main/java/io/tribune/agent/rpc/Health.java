package io.tribune.agent.rpc;

import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.ServiceHealth;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The health endpoints' operations (Consul's {@code Health.*}). */
public final class Health {
    private Health() {
    }

    /** The checks of one node (node checks and its services' checks). */
    public record NodeChecks(String node) implements Op.Read<List<HealthCheck>> {
        public NodeChecks {
            Fields.name("node name", node);
        }
    }

    /** The checks of every instance of {@code service}, on nodes matching {@code nodeMeta}. */
    public record ServiceChecks(String service, Map<String, String> nodeMeta) implements Op.Read<List<HealthCheck>> {
        public ServiceChecks {
            Fields.name("service name", service);
            nodeMeta = Fields.meta(nodeMeta);
        }
    }

    /** The checks in {@code status} (empty: in any status), on nodes matching {@code nodeMeta}. */
    public record ChecksInState(Optional<HealthStatus> status, Map<String, String> nodeMeta)
            implements Op.Read<List<HealthCheck>> {
        public ChecksInState {
            Objects.requireNonNull(status, "status");
            nodeMeta = Fields.meta(nodeMeta);
        }
    }

    /**
     * The instances of {@code service} with their node and checks: those carrying every tag of
     * {@code tags}, on nodes matching {@code nodeMeta}, and with {@code passingOnly} only those whose
     * every check passes.
     */
    public record ServiceNodes(String service, List<String> tags, boolean passingOnly, Map<String, String> nodeMeta)
            implements Op.Read<List<ServiceHealth>> {
        public ServiceNodes {
            Fields.name("service name", service);
            tags = Fields.tags(tags);
            nodeMeta = Fields.meta(nodeMeta);
        }
    }
}
