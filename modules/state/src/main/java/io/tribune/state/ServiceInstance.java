package io.tribune.state;

import java.util.Objects;

/**
 * A service instance with its node ({@code /v1/catalog/service/<name>}, where Consul flattens both
 * into one object: {@code Node, Address, Datacenter, TaggedAddresses, NodeMeta, ServiceID, ...}).
 *
 * @param node    the node
 * @param service the instance
 */
public record ServiceInstance(Node node, NodeService service) {
    /** Checks fields. */
    public ServiceInstance {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(service, "service");
    }
}
