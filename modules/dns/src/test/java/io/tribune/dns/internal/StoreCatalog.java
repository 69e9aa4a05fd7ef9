package io.tribune.dns.internal;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import io.tribune.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A catalog read straight from a state store, for the resolver's and the server's own tests: the
 * same reads a server's request layer makes for a stale lookup, without an agent around them. A
 * missing store is {@link DnsCatalog.UnavailableException}, as a lookup no server answers.
 */
final class StoreCatalog implements DnsCatalog {
    private final Supplier<Optional<StateStore>> state;

    private StoreCatalog(Supplier<Optional<StateStore>> state) {
        this.state = state;
    }

    static DnsCatalog of(Supplier<Optional<StateStore>> state) {
        return new StoreCatalog(state);
    }

    private StateStore store() {
        return state.get().orElseThrow(() -> new UnavailableException("no state store"));
    }

    @Override
    public Optional<Node> node(String name) {
        return store().node(name).value();
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag) {
        return store().serviceHealth(service, tag, false, Map.of()).value();
    }
}
