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
    private final Map<String, StateStore> others;

    private StoreCatalog(Supplier<Optional<StateStore>> state, Map<String, StateStore> others) {
        this.state = state;
        this.others = Map.copyOf(others);
    }

    static DnsCatalog of(Supplier<Optional<StateStore>> state) {
        return new StoreCatalog(state, Map.of());
    }

    /** With the stores of other datacenters, by name; a datacenter not listed has no path. */
    static DnsCatalog of(Supplier<Optional<StateStore>> state, Map<String, StateStore> others) {
        return new StoreCatalog(state, others);
    }

    private StateStore store(String dc) {
        if (dc.isEmpty()) {
            return store();
        }
        StateStore s = others.get(dc);
        if (s == null) {
            throw new NoPathException("No path to datacenter");
        }
        return s;
    }

    @Override
    public Optional<Node> node(String name, String dc) {
        return store(dc).node(name).value();
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag, String dc) {
        return store(dc).serviceHealth(service, tag, false, Map.of()).value();
    }

    @Override
    public List<Node> nodes(String dc) {
        return store(dc).nodes(Map.of()).value();
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
