package io.tribune.raft.internal.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void probeSendsOneAppendUntilAnswered() {
        Progress p = new Progress(11, 4);
        assertFalse(p.paused());
        p.sent(15, true);
        assertTrue(p.paused(), "a probe waits for its answer");
        assertEquals(11, p.next(), "probing does not move next optimistically");
        p.heartbeatAnswered();
        assertFalse(p.paused(), "a heartbeat answer lets the probe go again");
    }

    @Test
    void replicateWindowFillsAndDrains() {
        Progress p = new Progress(1, 2);
        p.accepted(0);
        p.becomeReplicate();
        p.sent(5, true);
        assertEquals(6, p.next(), "replicate moves next optimistically (pipelining)");
        p.sent(9, true);
        assertTrue(p.paused(), "window of 2 is full");
        p.accepted(5);
        assertFalse(p.paused());
        assertEquals(1, p.inflightCount());
        assertEquals(5, p.match());
    }

    @Test
    void rejectionInReplicateRewindsToTheHintAndKeepsPipelining() {
        Progress p = new Progress(1, 8);
        p.accepted(3);
        p.becomeReplicate();
        p.sent(10, true);
        assertTrue(p.rejected(8, 5));
        assertEquals(Progress.State.REPLICATE, p.state());
        assertEquals(6, p.next(), "next = hint + 1");
        assertEquals(0, p.inflightCount(), "the window restarts from the rewound position");
        assertFalse(p.rejected(2, 0), "a rejection at or below match is stale");
    }

    @Test
    void staleProbeRejectionIsIgnored() {
        Progress p = new Progress(20, 8);
        assertFalse(p.rejected(7, 3), "only the rejection of next - 1 counts while probing");
        assertTrue(p.rejected(19, 12));
        assertEquals(13, p.next());
    }

    @Test
    void snapshotStateResumesAfterTheSnapshotIndex() {
        Progress p = new Progress(5, 8);
        p.becomeSnapshot(100, 7);
        assertTrue(p.paused());
        p.accepted(100);
        p.becomeProbe();
        assertEquals(101, p.next());
        assertEquals(Progress.State.PROBE, p.state());
    }
}
