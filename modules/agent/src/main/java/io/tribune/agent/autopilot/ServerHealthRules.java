package io.tribune.agent.autopilot;

import io.tribune.agent.cluster.NodeIds;
import io.tribune.agent.rpc.Autopilot;
import io.tribune.api.consensus.FollowerProgress;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberStatus;
import io.tribune.state.AutopilotConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Consul's autopilot health rules, as a pure function plus the memory of when each server became
 * healthy ({@code StableSince}). A server is healthy when its gossip status is alive and, for a
 * follower, it answered the leader less than {@code LastContactThreshold} ago and its match index is
 * within {@code MaxTrailingLogs} of the leader's last index. {@code FailureTolerance} is the healthy
 * voters minus a quorum of the voters, at least 0.
 *
 * <p>Thread-safe ({@link #report} is synchronized: it updates the stable-since memory). Time comes in
 * as arguments, so tests drive it with a fake clock.
 */
public final class ServerHealthRules {
    private final Map<String, Long> healthySinceMillis = new HashMap<>();

    /**
     * The report as the leader {@code self} sees it now.
     *
     * @param config      the autopilot configuration in force
     * @param servers     the Raft configuration, in its order (the report keeps it)
     * @param self        the leader's server id
     * @param term        the leader's term
     * @param lastIndex   the leader's last log index
     * @param followers   {@link io.tribune.api.consensus.Consensus#followerProgress()} on the leader
     * @param members     gossip members by name
     * @param nowMillis   wall-clock now, for {@code StableSince}
     */
    public synchronized Autopilot.HealthReport report(AutopilotConfig config, List<ServerInfo> servers, String self,
            long term, long lastIndex, List<FollowerProgress> followers, Map<String, Member> members,
            long nowMillis) {
        Map<String, FollowerProgress> progress = new HashMap<>();
        for (FollowerProgress f : followers) {
            progress.put(f.id(), f);
        }
        List<Autopilot.ServerHealth> out = new ArrayList<>(servers.size());
        int voters = 0;
        int healthyVoters = 0;
        boolean allHealthy = true;
        for (ServerInfo s : servers) {
            Member m = members.get(s.id());
            String serf = m == null ? "none" : m.status().name().toLowerCase(Locale.ROOT);
            boolean alive = m != null && m.status() == MemberStatus.ALIVE;
            String version = m == null || m.tag("build") == null ? "" : m.tag("build");
            boolean leader = s.id().equals(self);
            long contactMillis;
            long match;
            boolean healthy;
            if (leader) {
                contactMillis = 0;
                match = lastIndex;
                healthy = alive;
            } else {
                FollowerProgress p = progress.get(s.id());
                Duration since = p == null ? null : p.lastContact();
                boolean never = since == null || since.toMillis() == Long.MAX_VALUE;
                contactMillis = never ? -1 : since.toMillis();
                match = p == null ? 0 : p.matchIndex();
                healthy = alive && !never && contactMillis < config.lastContactThresholdMs()
                        && lastIndex - match <= config.maxTrailingLogs();
            }
            long stable;
            if (healthy) {
                stable = healthySinceMillis.computeIfAbsent(s.id(), k -> nowMillis);
            } else {
                healthySinceMillis.remove(s.id());
                stable = 0;
            }
            if (s.voter()) {
                voters++;
                healthyVoters += healthy ? 1 : 0;
            }
            allHealthy &= healthy;
            out.add(new Autopilot.ServerHealth(NodeIds.ofMember(s.id(), m == null ? null : m.tag(NodeIds.TAG)), s.id(), s.endpoint().toString(), serf, version,
                    leader, contactMillis, match > 0 ? term : 0, match, healthy, s.voter(), stable));
        }
        // Forget servers no longer configured, so a re-added one starts its stabilization afresh.
        healthySinceMillis.keySet().retainAll(servers.stream().map(ServerInfo::id).toList());
        int tolerance = Math.max(0, healthyVoters - (voters / 2 + 1));
        return new Autopilot.HealthReport(allHealthy, tolerance, out);
    }
}
