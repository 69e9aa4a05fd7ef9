package io.tribune.dns.internal;

import io.tribune.state.Node;
import io.tribune.state.ServiceHealth;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A server's DNS catalog under {@code discovery_max_stale}: each lookup reads the local state
 * store while the server is fresh enough (the leader, or a follower whose last contact with the
 * leader is within the bound), and otherwise is re-evaluated on the leader, as Consul's DNS does
 * when a server is more than {@code max_stale} behind. The decision is taken per lookup, so a
 * follower that loses its leader stops answering from its own state at once and resumes when it
 * hears from a leader again.
 */
public final class StaleBoundDnsCatalog implements DnsCatalog {
    private final DnsCatalog local;
    private final DnsCatalog viaLeader;
    private final BooleanSupplier freshEnough;

    /**
     * @param local       the server's own state store
     * @param viaLeader   lookups answered by the leader (through the agent's routes and forwarding)
     * @param freshEnough whether a stale local read is within the bound now
     */
    public StaleBoundDnsCatalog(DnsCatalog local, DnsCatalog viaLeader, BooleanSupplier freshEnough) {
        this.local = Objects.requireNonNull(local, "local");
        this.viaLeader = Objects.requireNonNull(viaLeader, "viaLeader");
        this.freshEnough = Objects.requireNonNull(freshEnough, "freshEnough");
    }

    private DnsCatalog pick() {
        return freshEnough.getAsBoolean() ? local : viaLeader;
    }

    @Override
    public Optional<Node> node(String name) {
        return pick().node(name);
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag) {
        return pick().serviceHealth(service, tag);
    }
}
