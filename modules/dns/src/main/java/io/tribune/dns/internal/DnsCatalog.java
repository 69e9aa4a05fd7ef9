package io.tribune.dns.internal;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the DNS resolver reads: a node by name and the instances of a service with their checks,
 * with stale consistency (Consul's {@code allow_stale} default), through the agent's request layer
 * ({@link RequestsDnsCatalog}).
 *
 * <p>Implementations are thread-safe and may block the calling DNS worker for a bounded time.
 */
public interface DnsCatalog {

    /** Thrown when no answer can be had (no state store, servers unreachable): the resolver answers SERVFAIL. */
    final class UnavailableException extends RuntimeException {
        /** With a message for the log. */
        public UnavailableException(String message) {
            super(message);
        }
    }

    /**
     * Thrown when no server of the datacenter asked for is known or reachable (the request layer's
     * {@code No path to datacenter}): the resolver answers NXDOMAIN, as for a name that does not exist.
     */
    final class NoPathException extends RuntimeException {
        /** With a message for the log. */
        public NoPathException(String message) {
            super(message);
        }
    }

    /** The node registered as {@code name} (exact match). */
    Optional<Node> node(String name);

    /** Every instance of {@code service} (with {@code tag} when not null), whatever its health. */
    List<ServiceHealth> serviceHealth(String service, String tag);

    /**
     * The node registered as {@code name} in {@code datacenter} ("" for this agent's). The default
     * knows only this agent's datacenter: another one is unavailable.
     */
    default Optional<Node> node(String name, String datacenter) {
        if (datacenter.isEmpty()) {
            return node(name);
        }
        throw new NoPathException("no path to datacenter " + datacenter);
    }

    /** {@link #serviceHealth(String, String)} in {@code datacenter} ("" for this agent's); default as {@link #node(String, String)}. */
    default List<ServiceHealth> serviceHealth(String service, String tag, String datacenter) {
        if (datacenter.isEmpty()) {
            return serviceHealth(service, tag);
        }
        throw new NoPathException("no path to datacenter " + datacenter);
    }

    /**
     * What a prepared query executed for DNS answered.
     *
     * @param nodes      the instances, in the order to answer them (already filtered and shuffled)
     * @param ttl        the query's {@code DNS.TTL}, empty when it sets none
     * @param datacenter the datacenter that answered (another one after a failover)
     */
    record QueryAnswer(List<ServiceHealth> nodes, Optional<Duration> ttl, String datacenter) {
        /** Copies the list. */
        public QueryAnswer {
            nodes = List.copyOf(nodes);
        }
    }

    /**
     * Executes the prepared query {@code idOrName} in {@code datacenter} ("" for this agent's), with
     * its failover; empty when no query applies. The default knows no prepared queries.
     */
    default Optional<QueryAnswer> preparedQuery(String idOrName, String datacenter) {
        throw new UnavailableException("this catalog cannot execute prepared queries");
    }

    /**
     * Every node of {@code datacenter}'s catalog ("" for this agent's), for reverse lookups. The
     * default has none to offer.
     */
    default List<Node> nodes(String datacenter) {
        throw new UnavailableException("this catalog cannot list nodes");
    }
}
