package io.tribune.agent.autopilot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.rpc.Autopilot;
import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.FollowerProgress;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.transport.Endpoint;
import io.tribune.state.AutopilotConfig;
import io.tribune.testkit.VirtualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Consul's autopilot health rules on a fake clock: contact threshold, trailing logs, gossip, tolerance. */
class ServerHealthRulesTest {
    private final VirtualClock clock = new VirtualClock();
    private final ServerHealthRules rules = new ServerHealthRules();
    private final List<ServerInfo> servers = List.of(server("s1"), server("s2"), server("s3"));
    private final Map<String, Member> members = new HashMap<>();
    private final AutopilotConfig config = AutopilotConfig.defaults();

    private static ServerInfo server(String id) {
        return new ServerInfo(id, new Endpoint("127.0.0.1", 8300 + id.charAt(1) - '0'), true);
    }

    private void member(String name, MemberStatus status) {
        members.put(name, new Member(name, "127.0.0.1", 8301, Map.of("build", "tribune-0.1.0"), status, 1));
    }

    private Autopilot.HealthReport report(FollowerProgress... followers) {
        return rules.report(config, servers, "s1", 3, 1000, List.of(followers), members, clock.wallMillis());
    }

    @Test
    void healthyClusterToleratesOneFailureAndEachRuleMarksAServerUnhealthy() {
        for (String s : List.of("s1", "s2", "s3")) {
            member(s, MemberStatus.ALIVE);
        }
        long start = clock.wallMillis();
        Autopilot.HealthReport r = report(new FollowerProgress("s2", 1000, Duration.ofMillis(12)),
                new FollowerProgress("s3", 900, Duration.ofMillis(50)));
        assertTrue(r.healthy());
        assertEquals(1, r.failureTolerance());
        Autopilot.ServerHealth leader = r.servers().get(0);
        assertTrue(leader.leader() && leader.healthy());
        assertEquals(1000, leader.lastIndex());
        assertEquals("alive", leader.serfStatus());
        assertEquals("tribune-0.1.0", leader.version());
        assertEquals(12, r.servers().get(1).lastContactMillis());
        assertEquals(3, r.servers().get(1).lastTerm());
        assertEquals(start, r.servers().get(2).stableSinceMillis());

        // last contact at the threshold (200ms) is too old
        clock.advance(Duration.ofSeconds(5));
        r = report(new FollowerProgress("s2", 1000, Duration.ofMillis(200)),
                new FollowerProgress("s3", 1000, Duration.ofMillis(10)));
        assertFalse(r.servers().get(1).healthy());
        assertTrue(r.servers().get(2).healthy());
        assertEquals(start, r.servers().get(2).stableSinceMillis(), "StableSince holds while healthy");
        assertFalse(r.healthy());
        assertEquals(0, r.failureTolerance());

        // trailing by more than MaxTrailingLogs (250)
        r = report(new FollowerProgress("s2", 1000, Duration.ofMillis(10)),
                new FollowerProgress("s3", 749, Duration.ofMillis(10)));
        assertTrue(r.servers().get(1).healthy());
        assertEquals(clock.wallMillis(), r.servers().get(1).stableSinceMillis(), "healthy again: stable from now");
        assertFalse(r.servers().get(2).healthy());

        // gossip says failed; a follower that never answered reports -1
        member("s3", MemberStatus.FAILED);
        r = report(new FollowerProgress("s2", 1000, Duration.ofMillis(10)),
                new FollowerProgress("s3", 1000, Duration.ofMillis(Long.MAX_VALUE)));
        assertEquals("failed", r.servers().get(2).serfStatus());
        assertEquals(-1, r.servers().get(2).lastContactMillis());
        assertFalse(r.servers().get(2).healthy());
        assertEquals(0, r.servers().get(2).stableSinceMillis());
        assertEquals(0, r.failureTolerance());
    }

    @Test
    void configuredDefaultsAreReadFromTheAutopilotProperties() {
        AutopilotConfig d = AutopilotSettings.defaults(PluginConfig.of(Map.of(AutopilotSettings.CLEANUP, "false",
                AutopilotSettings.LAST_CONTACT, "500ms", AutopilotSettings.MAX_TRAILING, "10",
                AutopilotSettings.STABILIZATION, "1s")));
        assertEquals(new AutopilotConfig(false, 500, 10, 1000, "", false, "", 0, 0), d);
        assertEquals(AutopilotConfig.defaults(), AutopilotSettings.defaults(PluginConfig.empty()));
    }

    @Test
    void eachServerIsReportedUnderTheNodeIdItsAgentGossips() {
        String s2Id = "0f1e2d3c-4b5a-6978-8a9b-acbdcedf0022";
        member("s1", MemberStatus.ALIVE);
        members.put("s2", new Member("s2", "127.0.0.1", 8301, Map.of(NodeIds.TAG, s2Id), MemberStatus.ALIVE, 1));
        Autopilot.HealthReport r = report(new FollowerProgress("s2", 1000, Duration.ofMillis(12)));
        assertEquals(NodeIds.of("s1"), r.servers().get(0).id(), "no ID tag: the one derived from the name");
        assertEquals(s2Id, r.servers().get(1).id());
        assertEquals(NodeIds.of("s3"), r.servers().get(2).id(), "not in the pool: derived from the name");
    }
}
