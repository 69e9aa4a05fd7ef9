/**
 * Tribune's state store: the replicated state machine every server runs.
 *
 * <p>Offers {@link io.tribune.state.StateStore}, an implementation of
 * {@link io.tribune.api.consensus.StateMachine} holding the catalog (nodes, services, checks),
 * the KV store (flags, CAS, locks, tombstones, transactions), sessions, user events and network
 * coordinates; the {@link io.tribune.state.Command} records and their binary codec that are
 * proposed to consensus, with the {@link io.tribune.state.RequestId} envelope that makes a
 * retried write apply at most once (a replicated table of recent requests); Consul-shaped value
 * records; blocking-query watches and a typed change feed. It uses and provides no service: the host constructs the store and hands it to the
 * consensus plugin.
 */
module io.tribune.state {
    requires transitive io.tribune.api;

    exports io.tribune.state;
}
