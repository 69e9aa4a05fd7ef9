package io.tribune.api.consensus;

import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Transport;
import java.util.Objects;
import java.util.Optional;

/**
 * What the host hands to a consensus factory.
 *
 * @param serverId     this server's id in configurations
 * @param stateMachine the state machine to drive
 * @param storage      the log, stable and snapshot stores, opened by the host
 * @param transport    the node-to-node transport (handlers not yet registered by the plugin), or
 *                     empty for a single-node plugin that needs none
 */
public record ConsensusSetup(String serverId, StateMachine stateMachine, Storage storage,
                             Optional<Transport> transport) {
    public ConsensusSetup {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(stateMachine, "stateMachine");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(transport, "transport");
    }
}
