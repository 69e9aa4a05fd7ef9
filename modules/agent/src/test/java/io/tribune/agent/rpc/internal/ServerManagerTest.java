package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.transport.Endpoint;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServerManagerTest {
    private static final Endpoint A = new Endpoint("10.0.0.1", 8300);
    private static final Endpoint B = new Endpoint("10.0.0.2", 8300);
    private static final Endpoint C = new Endpoint("10.0.0.3", 8300);
    private static final Endpoint D = new Endpoint("10.0.0.4", 8300);

    @Test
    void emptyManagerHasNoCurrentServer() {
        assertEquals(Optional.empty(), new ServerManager(new Random(1)).current());
    }

    @Test
    void failedServerMovesToTheTailAndTheNextOneBecomesCurrent() {
        ServerManager m = new ServerManager(new Random(1));
        m.refresh(List.of(A, B, C));
        List<Endpoint> before = m.servers();
        Endpoint first = before.get(0);
        m.failed(first);
        assertEquals(before.get(1), m.current().orElseThrow());
        assertEquals(first, m.servers().get(2));
        m.failed(new Endpoint("10.9.9.9", 1)); // unknown: nothing changes
        assertEquals(before.get(1), m.current().orElseThrow());
    }

    @Test
    void refreshKeepsTheOrderOfSurvivorsDropsDepartedAndAddsNewOnes() {
        ServerManager m = new ServerManager(new Random(7));
        m.refresh(List.of(A, B, C));
        List<Endpoint> before = m.servers();
        m.refresh(List.of(C, B, D)); // A departed, D joined
        List<Endpoint> after = m.servers();
        assertEquals(3, after.size());
        assertTrue(after.contains(D));
        assertTrue(!after.contains(A));
        List<Endpoint> survivors = after.stream().filter(e -> !e.equals(D)).toList();
        assertEquals(before.stream().filter(e -> !e.equals(A)).toList(), survivors);
    }

    @Test
    void rebalanceShufflesOverTimeAndKeepsEveryServer() {
        ServerManager m = new ServerManager(new Random(3));
        m.refresh(List.of(A, B, C, D));
        Set<Endpoint> heads = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            m.rebalance();
            heads.add(m.current().orElseThrow());
            assertEquals(Set.of(A, B, C, D), new HashSet<>(m.servers()));
        }
        // Spreading load means every server gets to be first at some point.
        assertEquals(4, heads.size());
    }

    @Test
    void rebalanceIntervalIsTwoMinutesForSmallPoolsAndGrowsWithNodesPerServer() {
        assertEquals(Duration.ofMinutes(2), ServerManager.rebalanceInterval(10, 3, 0));
        Duration jittered = ServerManager.rebalanceInterval(10, 3, 0.999999);
        assertTrue(jittered.compareTo(Duration.ofMinutes(2)) > 0 && jittered.compareTo(Duration.ofMinutes(3)) < 0,
                jittered::toString);
        // 100 000 nodes over 3 servers at 64 new connections per server per second: 521 s.
        assertEquals(Duration.ofSeconds(521), ServerManager.rebalanceInterval(100_000, 3, 0));
        // Degenerate inputs are clamped instead of dividing by zero.
        assertEquals(Duration.ofMinutes(2), ServerManager.rebalanceInterval(0, 0, -1));
        assertNotEquals(ServerManager.rebalanceInterval(10, 3, 0), ServerManager.rebalanceInterval(10, 3, 0.5));
    }

    @Test
    void directoryPicksAliveServersOfTheDatacenterByTags() {
        List<Member> members = List.of(
                member("s1", "10.0.0.1", Map.of("role", "consul", "dc", "dc1", "port", "8300"), MemberStatus.ALIVE),
                member("s2", "10.0.0.2", Map.of("role", "consul", "dc", "dc1", "port", "8300"), MemberStatus.FAILED),
                member("s3", "10.0.0.3", Map.of("role", "consul", "dc", "dc2", "port", "8300"), MemberStatus.ALIVE),
                member("c1", "10.0.0.4", Map.of("role", "node", "dc", "dc1", "port", "8300"), MemberStatus.ALIVE),
                member("s4", "10.0.0.5", Map.of("role", "consul", "dc", "DC1", "port", "x"), MemberStatus.ALIVE),
                member("s5", "10.0.0.6", Map.of("role", "consul", "dc", "dc1"), MemberStatus.ALIVE),
                member("s6", "10.0.0.7", Map.of("role", "consul", "dc", "DC1", "port", "8301"), MemberStatus.ALIVE));
        assertEquals(List.of(new Endpoint("10.0.0.1", 8300), new Endpoint("10.0.0.7", 8301)),
                MembershipServerDirectory.servers(members, "dc1"));
        assertEquals(List.of(new Endpoint("10.0.0.3", 8300)), MembershipServerDirectory.servers(members, "dc2"));
        assertEquals(List.of(), MembershipServerDirectory.servers(members, "dc3"));
    }

    @Test
    void directoryFallsBackToASecondDirectoryOnlyWhenTheFirstKnowsNone() {
        ServerDirectory lan = dc -> dc.equals("dc1") ? List.of(A) : List.of();
        ServerDirectory wan = dc -> dc.equals("dc2") ? List.of(B) : List.of(C);
        ServerDirectory both = lan.or(wan);
        assertEquals(List.of(A), both.servers("dc1"));
        assertEquals(List.of(B), both.servers("dc2"));
    }

    private static Member member(String name, String host, Map<String, String> tags, MemberStatus status) {
        return new Member(name, host, 8301, tags, status, 1);
    }
}
