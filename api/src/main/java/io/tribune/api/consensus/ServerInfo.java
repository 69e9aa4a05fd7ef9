package io.tribune.api.consensus;

import io.tribune.api.transport.Endpoint;
import java.util.Objects;

/**
 * One server of a consensus configuration.
 *
 * @param id       stable unique id (the node name, or its node id)
 * @param endpoint its RPC address
 * @param voter    whether it votes and counts toward quorum
 */
public record ServerInfo(String id, Endpoint endpoint, boolean voter) {
    public ServerInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpoint, "endpoint");
    }
}
