/**
 * How the request layer works inside (not exported): {@link io.tribune.agent.rpc.internal.Router}
 * decides where each operation runs and forwards it (client to server, follower to leader, to another
 * datacenter), holds it during elections and gives writes their client request ids;
 * {@link io.tribune.agent.rpc.internal.Handlers} holds what this agent runs itself;
 * {@link io.tribune.agent.rpc.internal.Wire} encodes operations and answers with the Protocol Buffers
 * schema of {@code tribune.agent.rpc.v1}; {@link io.tribune.agent.rpc.internal.RpcServer} answers the
 * defined RPCs on a server's RPC port and nothing else; {@link io.tribune.agent.rpc.internal.ServerManager}
 * keeps a client's server list; {@code AgentCache} answers cached reads.
 */
package io.tribune.agent.rpc.internal;
