package io.tribune.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.NetworkCoordinate;
import io.tribune.state.Coordinate;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * WAN coordinates read from a pool (a stub that answers members and coordinates), the median
 * estimate per datacenter against hand-computed values, and the datacenter order it gives.
 */
class WanCoordinatesTest {

    static NetworkCoordinate at(double x) {
        List<Double> vec = new ArrayList<>(List.of(x));
        while (vec.size() < 8) {
            vec.add(0.0);
        }
        return new NetworkCoordinate(vec, 0.2, 0, 0);
    }

    static Member server(String name, String dc, MemberStatus status) {
        return new Member(name, "127.0.0.1", 8302, Map.of("role", "consul", "dc", dc), status, 1);
    }

    /** A WAN pool whose local member is s1.dc1 at the origin. */
    static Membership pool(List<Member> members, Map<String, NetworkCoordinate> coordinates) {
        return (Membership) Proxy.newProxyInstance(WanCoordinatesTest.class.getClassLoader(),
                new Class<?>[] {Membership.class}, (p, m, args) -> switch (m.getName()) {
                    case "members" -> members;
                    case "localMember" -> members.get(0);
                    case "coordinate" -> Optional.ofNullable(coordinates.get(members.get(0).name()));
                    case "coordinateOf" -> Optional.ofNullable(coordinates.get((String) args[0]));
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void medianOverEachDatacentersServersOrdersTheDatacenters() {
        List<Member> members = List.of(server("s1.dc1", "dc1", MemberStatus.ALIVE),
                server("a.dc2", "dc2", MemberStatus.ALIVE), server("b.dc2", "dc2", MemberStatus.ALIVE),
                server("c.dc2", "dc2", MemberStatus.FAILED), server("x.dc3", "dc3", MemberStatus.ALIVE),
                server("gone.dc3", "dc3", MemberStatus.LEFT),
                new Member("client.dc3", "127.0.0.1", 8302, Map.of("role", "node", "dc", "dc3"), MemberStatus.ALIVE, 1),
                server("new.dc4", "dc4", MemberStatus.ALIVE));
        Map<String, NetworkCoordinate> cs = new LinkedHashMap<>();
        cs.put("s1.dc1", at(0));
        cs.put("a.dc2", at(0.010));
        cs.put("b.dc2", at(0.050));
        cs.put("c.dc2", at(0.090));
        cs.put("x.dc3", at(0.030));
        cs.put("gone.dc3", at(0.001));
        cs.put("client.dc3", at(0.001));
        WanCoordinates wan = new WanCoordinates(Optional.of(pool(members, cs)));

        List<Coordinate> all = wan.coordinates();
        assertEquals(List.of("s1.dc1", "a.dc2", "b.dc2", "c.dc2", "x.dc3"), all.stream().map(Coordinate::node).toList(),
                "servers that have not left, by datacenter then name; no client, no left member, none without one");
        assertEquals("dc2", all.get(1).segment());
        // dc2: distances 10, 50, 90 ms -> median 50 ms (a failed server still counts, as a member).
        assertEquals(Duration.ofMillis(50), wan.rtt("dc2").orElseThrow());
        assertEquals(Duration.ofMillis(30), wan.rtt("DC3").orElseThrow(), "datacenter names in any case");
        assertTrue(wan.rtt("dc4").isEmpty(), "no coordinate yet");
        assertEquals(List.of("dc1", "dc3", "dc2", "dc4"), DatacenterList.sorted("dc1", members, wan.rttFunction()));
    }

    @Test
    void withoutAWanPoolThereIsNothing() {
        WanCoordinates none = new WanCoordinates(Optional.empty());
        assertTrue(none.coordinates().isEmpty());
        assertTrue(none.rtt("dc2").isEmpty());
    }
}
