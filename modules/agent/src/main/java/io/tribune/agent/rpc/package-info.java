/**
 * Request forwarding between agents: client agent to a server of its datacenter, follower to
 * leader, and server to a server of another datacenter, over the agent's
 * {@link io.tribune.api.transport.Transport} (methods {@code tribune.rpc.apply} and
 * {@code tribune.rpc.http}); and gossip keyring operations on every member of the LAN pool
 * ({@code tribune.rpc.keyring}).
 *
 * <p>{@link io.tribune.agent.rpc.Forwarder} decides and carries the forwarding;
 * {@link io.tribune.agent.rpc.ServerManager} keeps a client's ordered server list (failover and
 * rebalancing); {@link io.tribune.agent.rpc.ServerDirectory} says where the servers of a datacenter
 * are (the LAN pool today, a WAN pool later); {@link io.tribune.agent.rpc.RpcCodec} is the bounded
 * wire encoding of forwarded requests; {@link io.tribune.agent.rpc.RequestIds} makes the client
 * request ids that every write carries through forwarding and retries, so that the state machine
 * applies it at most once; {@link io.tribune.agent.rpc.ClusterKeyring} fans a keyring operation
 * out to every member and adds up their answers as Consul reports them.
 */
package io.tribune.agent.rpc;
