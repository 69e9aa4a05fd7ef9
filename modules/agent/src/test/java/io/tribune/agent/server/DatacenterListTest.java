package io.tribune.agent.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatacenterListTest {

    private static Member server(String name, String dc, MemberStatus status) {
        return new Member(name + "." + dc, "127.0.0.1", 8302, Map.of("role", "consul", "dc", dc, "port", "8300"),
                status, 1);
    }

    @Test
    void withoutCoordinatesTheLocalDatacenterComesFirstThenTheOthersByName() {
        List<Member> wan = List.of(server("a", "dc3", MemberStatus.ALIVE), server("b", "dc1", MemberStatus.ALIVE),
                server("c", "DC2", MemberStatus.ALIVE), server("d", "dc3", MemberStatus.ALIVE),
                server("e", "aaa", MemberStatus.ALIVE));
        assertEquals(List.of("dc2", "aaa", "dc1", "dc3"), DatacenterList.sorted("dc2", wan, DatacenterList::noEstimate));
    }

    @Test
    void estimatedRoundTripsOrderTheDatacentersThatHaveOneBeforeThoseWithout() {
        List<Member> wan = List.of(server("a", "far", MemberStatus.ALIVE), server("b", "near", MemberStatus.ALIVE),
                server("c", "unknown", MemberStatus.ALIVE), server("d", "mid", MemberStatus.ALIVE),
                server("e", "also", MemberStatus.ALIVE));
        assertEquals(List.of("home", "near", "mid", "far", "also", "unknown"), DatacenterList.sorted("home", wan,
                DatacenterList.estimates(Map.of("far", Duration.ofMillis(90), "near", Duration.ofMillis(3),
                        "mid", Duration.ofMillis(40)))));
    }

    @Test
    void aDatacenterStaysListedWhileAServerOfItHasNotLeftAndClientsAndTaglessMembersCountForNothing() {
        List<Member> wan = List.of(server("a", "failed", MemberStatus.FAILED),
                server("b", "suspect", MemberStatus.SUSPECT), server("c", "gone", MemberStatus.LEFT),
                new Member("x", "127.0.0.1", 1, Map.of("role", "node", "dc", "clients"), MemberStatus.ALIVE, 1),
                new Member("y", "127.0.0.1", 1, Map.of(), MemberStatus.ALIVE, 1));
        assertEquals(List.of("dc1", "failed", "suspect"), DatacenterList.sorted("dc1", wan,
                DatacenterList::noEstimate));
        assertEquals(List.of("dc1"), DatacenterList.sorted("DC1", List.of(), DatacenterList::noEstimate),
                "a server without a WAN pool knows its own datacenter");
    }
}
