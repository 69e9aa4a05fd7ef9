package io.tribune.agent.server;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code /v1/catalog/datacenters} on a server ({@link Catalog.Datacenters}): the datacenters of the
 * servers this server sees in the WAN pool, and its own, in the order Consul gives them (its
 * {@code GetDatacentersByDistance}): by estimated round-trip time to each datacenter's servers where
 * coordinates exist, otherwise by name, the local datacenter first (it is the nearest).
 *
 * <p>A datacenter stays listed while any of its servers is a member that has not left (a failed
 * server is still a member until reaped, and the datacenter may come back), as Consul keeps a
 * datacenter in its router until its servers are reaped.
 *
 * <p>Pure apart from reading the pool's member list; thread-safe.
 */
public final class DatacenterList {
    private DatacenterList() {
    }

    /**
     * Registers the {@link Catalog.Datacenters} handler of a server.
     *
     * @param localDc this server's datacenter
     * @param wan     its WAN pool, empty in {@code -dev} mode or with the WAN port disabled
     * @param rtt     the estimated round trip to a datacenter, empty while it has no coordinates
     *                ({@link WanCoordinates#rttFunction()} on a server)
     */
    public static void register(Handlers h, String localDc, Optional<Membership> wan,
                                Function<String, Optional<Duration>> rtt) {
        Objects.requireNonNull(localDc, "localDc");
        Objects.requireNonNull(wan, "wan");
        Objects.requireNonNull(rtt, "rtt");
        h.server(Catalog.Datacenters.class, o -> sorted(localDc, wan.map(Membership::members).orElse(List.of()), rtt));
    }

    /**
     * The datacenters of {@code members}' servers and {@code localDc}, the local one first, then those
     * with a round-trip estimate from nearest to farthest (ties by name), then the rest by name. Names
     * are compared in lower case, as datacenter names are.
     */
    public static List<String> sorted(String localDc, List<Member> members, Function<String, Optional<Duration>> rtt) {
        String local = localDc.toLowerCase(Locale.ROOT);
        TreeSet<String> others = new TreeSet<>();
        for (Member m : members) {
            String dc = m.tag(ServerTags.DC);
            if (dc == null || !ServerTags.SERVER.equals(m.tag(ServerTags.ROLE)) || m.status() == MemberStatus.LEFT) {
                continue;
            }
            String lower = dc.toLowerCase(Locale.ROOT);
            if (!lower.equals(local)) {
                others.add(lower);
            }
        }
        List<String> out = new ArrayList<>(others);
        Comparator<String> byRtt = Comparator.comparing((String dc) -> rtt.apply(dc).orElse(null),
                Comparator.nullsLast(Comparator.<Duration>naturalOrder()));
        out.sort(byRtt.thenComparing(Comparator.naturalOrder()));
        out.add(0, local);
        return List.copyOf(out);
    }

    /** No estimate for any datacenter (tests, and servers without a WAN pool behave the same). */
    public static Optional<Duration> noEstimate(String datacenter) {
        return Optional.empty();
    }

    /** A fixed table of estimates (tests). */
    public static Function<String, Optional<Duration>> estimates(Map<String, Duration> table) {
        Map<String, Duration> copy = Map.copyOf(table);
        return dc -> Optional.ofNullable(copy.get(dc));
    }
}
