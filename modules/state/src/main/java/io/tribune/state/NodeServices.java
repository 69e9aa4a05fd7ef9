package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * A node with its service instances ({@code /v1/catalog/node/<node>}).
 *
 * @param node     the node
 * @param services its instances, by service id
 */
public record NodeServices(Node node, List<NodeService> services) {
    /** Copies the list. */
    public NodeServices {
        Objects.requireNonNull(node, "node");
        services = List.copyOf(services);
    }
}
