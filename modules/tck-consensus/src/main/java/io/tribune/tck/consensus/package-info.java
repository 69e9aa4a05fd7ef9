/**
 * Conformance suites for the consensus SPI. A plugin extends
 * {@link io.tribune.tck.consensus.ConsensusConformanceTest} in its own tests, supplies its factory,
 * a fresh storage per server and, when its factory is replicated, a transport per server; the
 * suite checks the contract written in {@link io.tribune.api.consensus.Consensus}.
 */
package io.tribune.tck.consensus;
