/**
 * Raft consensus: the {@code raft} {@link io.tribune.api.consensus.ConsensusFactory}, provided
 * through {@link io.tribune.api.Plugin} ({@code provides io.tribune.api.Plugin with
 * io.tribune.raft.RaftPlugin}) and, inside OSGi, registered as a service by its bundle activator.
 *
 * <p>It uses the storage SPI (log, stable store, snapshots) and the transport SPI it is handed;
 * the protocol itself is an I/O-free core in an unexported package.
 */
module io.tribune.raft {
    requires io.tribune.api;
    requires static osgi.core;

    exports io.tribune.raft;

    provides io.tribune.api.Plugin with io.tribune.raft.RaftPlugin;
}
