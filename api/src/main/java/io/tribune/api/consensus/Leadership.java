package io.tribune.api.consensus;

import java.util.Optional;

/**
 * A leadership observation.
 *
 * @param term     the current term
 * @param isLeader whether the local server is leader
 * @param leader   the known leader, if any
 */
public record Leadership(long term, boolean isLeader, Optional<ServerInfo> leader) {
}
