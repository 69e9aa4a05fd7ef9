package io.tribune.dns.internal;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
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

    /** The node registered as {@code name} (exact match). */
    Optional<Node> node(String name);

    /** Every instance of {@code service} (with {@code tag} when not null), whatever its health. */
    List<ServiceHealth> serviceHealth(String service, String tag);
}
