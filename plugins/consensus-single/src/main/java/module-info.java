/**
 * Single-server consensus for {@code -dev} mode and embedded use.
 *
 * <p>Provides the {@code consensus-single} {@link io.tribune.api.consensus.ConsensusFactory}
 * through {@link io.tribune.api.Plugin} ({@code provides io.tribune.api.Plugin with
 * io.tribune.consensus.single.ConsensusSinglePlugin}), and, inside OSGi, registers the same
 * plugin object as a service from its bundle activator. It uses the storage SPI it is handed for
 * its log, term and snapshots, and needs no transport.
 */
module io.tribune.consensus.single {
    requires io.tribune.api;
    requires static osgi.core;

    exports io.tribune.consensus.single;

    provides io.tribune.api.Plugin with io.tribune.consensus.single.ConsensusSinglePlugin;
}
