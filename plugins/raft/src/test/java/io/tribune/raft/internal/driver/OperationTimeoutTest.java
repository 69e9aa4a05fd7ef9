package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.tck.consensus.RecordingStateMachine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Timeouts of writes on a leader that lost its quorum, on virtual time: a long timeout (the sweep
 * on each tick) and a short one (a timer each) both fail the write with a timeout, never before it
 * is due, and the long one at most one tick (50 ms) after.
 */
class OperationTimeoutTest {
    private static final Duration TICK = Duration.ofMillis(50);
    private SimRaftCluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesWithoutAQuorumTimeOutWhenDueAndNotBefore() {
        for (Duration timeout : new Duration[] {Duration.ofSeconds(2), Duration.ofMillis(300)}) {
            // A fresh cluster each time: the leader steps down (check-quorum) some time after its
            // followers went away, and that refusal must not be taken for the timeout.
            if (cluster != null) {
                cluster.close();
            }
            cluster = new SimRaftCluster(3, 31);
            SimRaftCluster.Node leader = cluster.awaitLeader();
            cluster.commit(leader, "before");
            for (SimRaftCluster.Node n : cluster.others(leader)) {
                n.consensus.close();
            }
            long start = cluster.sim.clock().nanos();
            CompletableFuture<Applied> f = leader.consensus.apply(RecordingStateMachine.command("lost"), timeout);
            cluster.sim.runFor(timeout.minusMillis(1));
            assertFalse(f.isDone(), "not yet due: " + timeout);
            assertTrue(cluster.sim.runUntil(f::isDone, TICK.multipliedBy(2)), "due: " + timeout);
            long took = cluster.sim.clock().nanos() - start;
            assertTrue(took >= timeout.toNanos() && took <= timeout.plus(TICK).toNanos(),
                    timeout + " fired after " + took / 1_000_000 + " ms");
            Throwable t = assertInstanceOf(CompletionException.class,
                    org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, f::join)).getCause();
            assertInstanceOf(ConsensusException.class, t);
            assertTrue(t.getMessage().contains("timed out after " + timeout), t.getMessage());
        }
    }
}
