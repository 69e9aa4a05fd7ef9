/**
 * The agent in its gossip pools: the tags servers advertise ({@link io.tribune.agent.cluster.ServerTags}),
 * joining with retries ({@link io.tribune.agent.cluster.RetryJoin}), node IDs, and gossip keyring
 * operations on every member ({@link io.tribune.agent.cluster.ClusterKeyring}).
 */
package io.tribune.agent.cluster;
