/**
 * Prepared queries in the request layer (Consul 1.4's {@code PreparedQuery.*} endpoints): the
 * server endpoints of {@link io.tribune.agent.rpc.Queries} ({@link io.tribune.agent.query.QueryEndpoints}),
 * the pure rules of an execution ({@link io.tribune.agent.query.QueryExecution}: health and tag
 * filters, the failover order, the near-sort call point), the failover across datacenters run by the
 * agent asked ({@link io.tribune.agent.query.QueryExecutor}), and the ACL rules of queries
 * ({@link io.tribune.agent.query.QueryAccess}). Not exported: front ends use the operations.
 */
package io.tribune.agent.query;
