package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.FollowerProgress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's per-follower progress (match index, time since last answer) in virtual time. */
class FollowerProgressTest {
    private SimRaftCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void leaderReportsMatchAndLastAnswerPerFollowerAndAStoppedFollowerAges() {
        cluster = new SimRaftCluster(3, 21);
        SimRaftCluster.Node leader = cluster.awaitLeader();
        Applied a = cluster.commit(leader, "a");
        cluster.sim.runFor(Duration.ofSeconds(1));
        List<SimRaftCluster.Node> followers = cluster.others(leader);
        List<FollowerProgress> p = leader.consensus.followerProgress();
        assertEquals(followers.stream().map(n -> n.id).sorted().toList(), p.stream().map(FollowerProgress::id).toList());
        for (FollowerProgress f : p) {
            assertTrue(f.matchIndex() >= a.index(), f.toString());
            assertTrue(f.lastContact().compareTo(Duration.ofMillis(500)) < 0, f.toString());
        }
        for (SimRaftCluster.Node f : followers) {
            assertTrue(f.consensus.followerProgress().isEmpty(), "a follower reports nothing");
        }
        SimRaftCluster.Node dead = followers.get(0);
        dead.consensus.close();
        dead.transport.close();
        cluster.sim.runFor(Duration.ofSeconds(5));
        for (FollowerProgress f : leader.consensus.followerProgress()) {
            if (f.id().equals(dead.id)) {
                assertTrue(f.lastContact().compareTo(Duration.ofMillis(4_500)) >= 0, f.toString());
            } else {
                assertTrue(f.lastContact().compareTo(Duration.ofMillis(500)) < 0, f.toString());
            }
        }
    }
}
