/**
 * Server duties that turn gossip membership into a consensus cluster and a catalog: bootstrapping
 * Raft when {@code bootstrap_expect} servers are seen, and the leader's reconciliation of gossip
 * members into the consensus configuration and into the catalog's {@code serfHealth} checks.
 */
package io.tribune.agent.cluster;
