package io.tribune.dns.internal;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the DNS resolver reads: a node by name and the instances of a service with their checks.
 * Served from the local state store on a server ({@link #ofStore}) and through request forwarding
 * on a client agent ({@link ForwardingDnsCatalog}). Both read with stale consistency (Consul's
 * {@code allow_stale} default).
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

    /** Reads {@code state} at each call; a missing store is {@link UnavailableException}. */
    static DnsCatalog ofStore(Supplier<Optional<StateStore>> state) {
        return new DnsCatalog() {
            private StateStore store() {
                return state.get().orElseThrow(() -> new UnavailableException(
                        "this agent holds no catalog (client agent without forwarding)"));
            }

            @Override
            public Optional<Node> node(String name) {
                return store().node(name).value();
            }

            @Override
            public List<ServiceHealth> serviceHealth(String service, String tag) {
                return store().serviceHealth(service, tag, false, Map.of()).value();
            }
        };
    }
}
