package io.tribune.gossip.swim.internal.sim;

import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.UserEvent;
import io.tribune.gossip.swim.internal.core.SwimTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reusable simulation scenarios; the test runs them small, the bench runs them at 1,000 members. */
final class Scenarios {
    private Scenarios() {
    }

    /** What the event sink saw. */
    static final class Observed {
        /** FAILED events about members that were not crashed (false positives). */
        int falseFailures;
        /** (viewer -> member) -> time FAILED was seen. */
        final Map<String, Long> failedAt = new HashMap<>();
        /** member -> viewers that saw it JOIN (or were it). */
        final Map<String, Set<String>> joinedAt = new HashMap<>();
        /** user event name -> receivers. */
        final Map<String, Set<String>> userReceived = new HashMap<>();
        /** user event name -> duplicate deliveries. */
        int duplicateUserDeliveries;
        long lastJoinMillis;
    }

    /** Builds a cluster of {@code n}: node i joins node 0, {@code staggerMillis} apart; waits for convergence. */
    static SimCluster bootstrap(long seed, int n, SwimTiming timing, Observed obs, Duration convergeLimit,
                                long staggerMillis) {
        SimCluster c = new SimCluster(seed, timing);
        c.onEvent((node, e, now) -> record(c, obs, node, e, now));
        SimCluster.Node first = c.add("node-0");
        for (int i = 1; i < n; i++) {
            SimCluster.Node x = c.add("node-" + i);
            c.join(x, first);
            c.runFor(Duration.ofMillis(staggerMillis));
        }
        if (!c.runUntil(c::converged, convergeLimit)) {
            throw c.fail("cluster of " + n + " did not converge within " + convergeLimit);
        }
        return c;
    }

    static void record(SimCluster c, Observed obs, SimCluster.Node viewer, Object e, long now) {
        if (e instanceof MemberEvent me) {
            String m = me.member().name();
            if (me.type() == MemberEvent.Type.FAILED) {
                SimCluster.Node target = null;
                for (SimCluster.Node x : c.nodes()) {
                    if (x.name.equals(m)) {
                        target = x;
                    }
                }
                if (target != null && !target.crashed()) {
                    obs.falseFailures++;
                }
                obs.failedAt.putIfAbsent(viewer.name + "|" + m, now);
            } else if (me.type() == MemberEvent.Type.JOIN) {
                obs.joinedAt.computeIfAbsent(m, k -> new HashSet<>()).add(viewer.name);
                obs.lastJoinMillis = now;
            }
        } else if (e instanceof UserEvent ue) {
            if (!obs.userReceived.computeIfAbsent(ue.name(), k -> new HashSet<>()).add(viewer.name)) {
                obs.duplicateUserDeliveries++;
            }
        }
    }

    /**
     * Crashes {@code victims} members one after another and returns, for each, the times (ms after
     * the crash) at which each live member saw it FAILED; the last of each list is "known by all".
     */
    static List<List<Long>> detect(SimCluster c, Observed obs, int victims, Duration limit) {
        List<List<Long>> out = new ArrayList<>();
        int n = c.nodes().size();
        for (int v = 0; v < victims; v++) {
            SimCluster.Node victim = c.node(n - 1 - v * 7 % n);
            if (victim.crashed()) {
                continue;
            }
            long t0 = c.nowMillis();
            c.crash(victim);
            boolean all = c.runUntil(() -> {
                for (SimCluster.Node x : c.nodes()) {
                    if (!x.crashed() && x.statusOf(victim.name) != MemberStatus.FAILED) {
                        return false;
                    }
                }
                return true;
            }, limit);
            if (!all) {
                throw c.fail(victim.name + " was not known FAILED by all within " + limit);
            }
            List<Long> times = new ArrayList<>();
            for (SimCluster.Node x : c.nodes()) {
                Long t = obs.failedAt.get(x.name + "|" + victim.name);
                if (t != null && !x.crashed()) {
                    times.add(t - t0);
                }
            }
            Collections.sort(times);
            out.add(times);
            // Let the cluster settle before the next crash so detections do not overlap.
            c.runFor(Duration.ofSeconds(5));
        }
        return out;
    }

    /** Adds a member joining through a random one; returns ms until every live member has seen it JOIN. */
    static long joinSpread(SimCluster c, Observed obs, String name, Duration limit) {
        long t0 = c.nowMillis();
        SimCluster.Node seed = c.node(c.nodes().size() / 2);
        SimCluster.Node x = c.add(name);
        c.join(x, seed);
        boolean ok = c.runUntil(() -> {
            Set<String> seen = obs.joinedAt.getOrDefault(name, Set.of());
            return seen.size() >= c.liveCount();
        }, limit);
        if (!ok) {
            throw c.fail("join of " + name + " did not reach all within " + limit);
        }
        return obs.lastJoinMillis - t0;
    }

    /** Broadcasts a user event; returns ms until every live member delivered it. */
    static long userEventSpread(SimCluster c, Observed obs, String name, Duration limit) {
        long t0 = c.nowMillis();
        SimCluster.Node from = c.node(0);
        from.core.broadcastUser(name, new byte[] {1, 2, 3}, false, c.nowMillis());
        long[] done = {-1};
        boolean ok = c.runUntil(() -> {
            if (obs.userReceived.getOrDefault(name, Set.of()).size() >= c.liveCount()) {
                done[0] = c.nowMillis();
                return true;
            }
            return false;
        }, limit);
        if (!ok) {
            throw c.fail("user event " + name + " did not reach all within " + limit);
        }
        return done[0] - t0;
    }

    static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
