package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.raft.internal.core.Message;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final Endpoint ME = new Endpoint("10.1.2.3", 8300);

    @Test
    void everyMessageTypeRoundTrips() {
        List<Message> all = List.of(
                new Message.RequestVote("a", "b", 3, 10, 2, true, false),
                new Message.RequestVoteResponse("b", "a", 3, true, true),
                new Message.AppendEntries("a", "b", 4, 9, 2, List.of(
                        new LogEntry(10, 4, EntryKind.COMMAND, new byte[] {1, 2, 3}),
                        new LogEntry(11, 4, EntryKind.NOOP, new byte[0])), 8, 77),
                new Message.AppendEntriesResponse("b", "a", 4, false, 9, 5, 77, false),
                new Message.Heartbeat("a", "b", 4, 8, 78),
                new Message.InstallSnapshot("a", "b", 4, 100, 3,
                        List.of(new ServerInfo("a", ME, true), new ServerInfo("c", new Endpoint("h", 1), false))),
                new Message.TimeoutNow("a", "b", 4),
                new Message.ReadIndex("b", "a", 4, 12, true),
                new Message.ReadIndexResponse("a", "b", 4, 12, 99, true, 97),
                new Message.ReadIndexResponse("a", "b", 5, 13, 0, false, 0));
        WireCodec.Envelope env = WireCodec.decode(WireCodec.encode(ME, all));
        assertEquals(ME, env.sender());
        assertEquals(all, env.messages());
    }

    @Test
    void malformedInputFailsWithAClearError() {
        byte[] good = WireCodec.encode(ME, List.of(new Message.AppendEntries("a", "b", 4, 9, 2,
                List.of(new LogEntry(10, 4, EntryKind.COMMAND, new byte[] {1})), 8, 1)));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> WireCodec.decode(truncated), "cut at " + cut);
        }
        byte[] badVersion = good.clone();
        badVersion[0] = 9;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WireCodec.decode(badVersion));
        assertEquals("raft wire version 9 is not supported (expected 1)", e.getMessage());
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> WireCodec.decode(trailing));
        assertArrayEquals(good, WireCodec.encode(ME, WireCodec.decode(good).messages()));
    }
}
