package io.tribune.agent.rpc;

import io.tribune.state.HealthCheck;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The service catalog's operations (Consul's {@code Catalog.*} endpoints). */
public final class Catalog {
    private Catalog() {
    }

    /**
     * Registers a node, optionally one of its services, and checks of the node or of that service.
     * With {@code skipNodeUpdate}, an existing node keeps its address and metadata (the node's fields
     * here are used only when it does not exist yet); otherwise the node needs an address. Checks
     * without a status start critical.
     */
    public record Register(Node node, Optional<NodeService> service, List<HealthCheck> checks,
                           boolean skipNodeUpdate) implements Op.Write<Boolean> {
        public Register {
            Objects.requireNonNull(node, "node");
            Fields.name("node", node.node());
            Objects.requireNonNull(service, "service");
            checks = List.copyOf(checks);
        }
    }

    /** Removes a node with everything on it, or only one of its services, or only one check. */
    public record Deregister(String node, Optional<String> serviceId, Optional<String> checkId)
            implements Op.Write<Boolean> {
        public Deregister {
            Fields.name("node", node);
            serviceId.ifPresent(s -> Fields.name("service ID", s));
            checkId.ifPresent(c -> Fields.name("check ID", c));
        }
    }

    /** The datacenters this server knows, its own first (later: sorted by estimated round-trip time). */
    public record Datacenters() implements Op.ServerOp<List<String>> {
    }

    /** Every node, or those whose metadata has every pair of {@code nodeMeta}. */
    public record Nodes(Map<String, String> nodeMeta) implements Op.Read<List<Node>> {
        public Nodes {
            nodeMeta = Fields.meta(nodeMeta);
        }
    }

    /** Every service name with the union of its instances' tags (on nodes matching {@code nodeMeta}). */
    public record Services(Map<String, String> nodeMeta) implements Op.Read<Map<String, List<String>>> {
        public Services {
            nodeMeta = Fields.meta(nodeMeta);
        }
    }

    /** The instances of {@code service} carrying every tag of {@code tags}, on nodes matching {@code nodeMeta}. */
    public record ServiceNodes(String service, List<String> tags, Map<String, String> nodeMeta)
            implements Op.Read<List<ServiceInstance>> {
        public ServiceNodes {
            Fields.name("service name", service);
            tags = Fields.tags(tags);
            nodeMeta = Fields.meta(nodeMeta);
        }
    }

    /** A node with its services; empty when the node is not registered. */
    public record ServicesOfNode(String node) implements Op.Read<Optional<NodeServices>> {
        public ServicesOfNode {
            Fields.name("node name", node);
        }
    }
}
