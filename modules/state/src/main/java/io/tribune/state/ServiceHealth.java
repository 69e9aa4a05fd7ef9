package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * A service instance with its node and the checks that decide its health: the node's checks and
 * the instance's own ({@code /v1/health/service/<name>}: {@code Node, Service, Checks}).
 *
 * @param node    the node
 * @param service the instance
 * @param checks  node checks then service checks, by check id
 */
public record ServiceHealth(Node node, NodeService service, List<HealthCheck> checks) {
    /** Copies the list. */
    public ServiceHealth {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(service, "service");
        checks = List.copyOf(checks);
    }

    /** The worst status among the checks (passing when there are none). */
    public HealthStatus aggregateStatus() {
        HealthStatus worst = HealthStatus.PASSING;
        for (HealthCheck c : checks) {
            if (c.status().ordinal() > worst.ordinal()) {
                worst = c.status();
            }
        }
        return worst;
    }
}
