/**
 * A server's part of the agent: its endpoints ({@link io.tribune.agent.server.ServerEndpoints}: how
 * each operation on the replicated state is read or proposed), bootstrapping consensus from gossip
 * ({@link io.tribune.agent.server.ServerBootstrap}), the leader's reconciliation of gossip members
 * into the consensus configuration and the catalog ({@link io.tribune.agent.server.LeaderReconciler}),
 * its periodic duties (session TTLs, KV tombstones: {@link io.tribune.agent.server.LeaderDuties}),
 * and snapshot restores through the log ({@link io.tribune.agent.server.SnapshotRestore}).
 */
package io.tribune.agent.server;
