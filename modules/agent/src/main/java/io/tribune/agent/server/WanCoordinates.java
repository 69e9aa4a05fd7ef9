package io.tribune.agent.server;

import io.tribune.agent.cluster.ServerTags;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.NearSort;
import io.tribune.agent.rpc.internal.Handlers;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.NetworkCoordinate;
import io.tribune.state.Coordinate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The WAN coordinates of the servers of every datacenter, read from this server's WAN pool (Consul
 * keeps them in its WAN Serf, not in Raft): the {@link Coordinates.Wan} answer, and the estimated
 * round trip to a datacenter that orders {@code /v1/catalog/datacenters} ({@link DatacenterList}) —
 * the median of the distances from this server's WAN coordinate to that datacenter's servers'.
 *
 * <p>Thread-safe: it only reads the pool, which is thread-safe.
 */
public final class WanCoordinates {
    private final Optional<Membership> wan;

    /** @param wan this server's WAN pool; empty in {@code -dev} mode or without a WAN port */
    public WanCoordinates(Optional<Membership> wan) {
        this.wan = wan;
    }

    /** Registers the {@link Coordinates.Wan} handler. */
    public void register(Handlers h) {
        h.server(Coordinates.Wan.class, o -> coordinates());
    }

    /**
     * One coordinate per server of the pool that has one and has not left, node = its WAN name,
     * segment = its datacenter (lower case), ordered by datacenter then name. Coordinates that are not
     * valid are left out.
     */
    public List<Coordinate> coordinates() {
        if (wan.isEmpty()) {
            return List.of();
        }
        Membership m = wan.get();
        List<Coordinate> out = new ArrayList<>();
        for (Member member : m.members()) {
            String dc = member.tag(ServerTags.DC);
            if (dc == null || !ServerTags.SERVER.equals(member.tag(ServerTags.ROLE))
                    || member.status() == MemberStatus.LEFT) {
                continue;
            }
            m.coordinateOf(member.name()).filter(NetworkCoordinate::valid)
                    .ifPresent(c -> out.add(of(member.name(), dc.toLowerCase(Locale.ROOT), c)));
        }
        out.sort(java.util.Comparator.comparing(Coordinate::segment).thenComparing(Coordinate::node));
        return List.copyOf(out);
    }

    /**
     * The estimated round trip from this server to {@code datacenter}: the median over that
     * datacenter's servers' WAN coordinates; empty while this server or they have none.
     */
    public Optional<Duration> rtt(String datacenter) {
        if (wan.isEmpty()) {
            return Optional.empty();
        }
        Membership m = wan.get();
        Optional<NetworkCoordinate> self = m.coordinate();
        if (self.isEmpty()) {
            return Optional.empty();
        }
        Coordinate from = of(m.localMember().name(), "", self.get());
        String dc = datacenter.toLowerCase(Locale.ROOT);
        List<Coordinate> to = coordinates().stream().filter(c -> c.segment().equals(dc)).toList();
        return NearSort.medianRttSeconds(from, to).map(s -> Duration.ofNanos(Math.round(s * 1e9)));
    }

    /** {@link #rtt} as the function {@link DatacenterList#register} takes. */
    public Function<String, Optional<Duration>> rttFunction() {
        return this::rtt;
    }

    /** A state coordinate from a pool's coordinate. */
    public static Coordinate of(String node, String segment, NetworkCoordinate c) {
        return new Coordinate(node, segment, c.vec(), c.error(), c.adjustment(), c.height());
    }
}
