/**
 * Consensus SPI: a replicated, ordered log of commands applied to a state machine on every server.
 *
 * <p>The host implements {@link io.tribune.api.consensus.StateMachine} (the catalog, KV store and
 * sessions) and hands it to a {@link io.tribune.api.consensus.ConsensusFactory}; the plugin
 * replicates commands given to {@link io.tribune.api.consensus.Consensus#apply} and applies them,
 * in log order, on every server.
 *
 * <p><b>Safety contract.</b> An {@code apply} future completes successfully only when the entry
 * is committed (durably stored on a majority of the voters of the current configuration, as the
 * storage plugin defines durable) and applied locally; a committed entry is never lost or
 * reordered while a majority of voters survives. A read barrier in mode
 * {@link io.tribune.api.consensus.ReadConsistency#CONSISTENT} returns only after the plugin has
 * confirmed, with a quorum, that it was leader at a time after the barrier was requested.
 *
 * <p>{@link io.tribune.api.consensus.ServerConfigurations} is the one encoding of a server list
 * (CONFIGURATION log entries, snapshot metadata) that consensus plugins share.
 */
package io.tribune.api.consensus;
