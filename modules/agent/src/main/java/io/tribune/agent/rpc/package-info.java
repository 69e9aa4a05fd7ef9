/**
 * The agent's request layer, as front ends see it: every endpoint of the agent as a typed operation
 * ({@link io.tribune.agent.rpc.Op}) grouped by area ({@link io.tribune.agent.rpc.Kv},
 * {@link io.tribune.agent.rpc.Catalog}, {@link io.tribune.agent.rpc.Health},
 * {@link io.tribune.agent.rpc.Sessions}, {@link io.tribune.agent.rpc.Events},
 * {@link io.tribune.agent.rpc.Coordinates}, {@link io.tribune.agent.rpc.Status},
 * {@link io.tribune.agent.rpc.Operator}, {@link io.tribune.agent.rpc.Snapshots},
 * {@link io.tribune.agent.rpc.Txn}, {@link io.tribune.agent.rpc.AgentOps}), the
 * {@link io.tribune.agent.rpc.Options} every request carries (datacenter, token, consistency with
 * {@code max_stale}, blocking index and wait, cache), the {@link io.tribune.agent.rpc.Response} with
 * Consul's query metadata, and {@link io.tribune.agent.rpc.AgentException}, the one error type whose
 * kinds each front end maps to its own codes. {@link io.tribune.agent.rpc.Requests} runs an operation
 * wherever it must run.
 */
package io.tribune.agent.rpc;
