package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastQueueTest {

    @Test
    void retransmitLimitGrowsWithLog10OfClusterSize() {
        int[][] table = {{1, 4}, {9, 4}, {10, 8}, {99, 8}, {100, 12}, {1000, 16}};
        for (int[] row : table) {
            assertEquals(row[1], BroadcastQueue.retransmitLimit(4, row[0]), "n = " + row[0]);
        }
    }

    @Test
    void newerMessageUnderSameKeyReplacesOlder() {
        BroadcastQueue q = new BroadcastQueue();
        q.queue("a", new Msg.Suspect("a", 1, "x"));
        q.queue("a", new Msg.Suspect("a", 2, "x"));
        assertEquals(1, q.size());
        assertEquals(List.of(new Msg.Suspect("a", 2, "x")), q.take(1000, 2, 10, 3));
    }

    @Test
    void messagesRetireAfterTheLimitAndLeastSentGoFirst() {
        BroadcastQueue q = new BroadcastQueue();
        Msg a = new Msg.Ack(1, "a");
        Msg b = new Msg.Ack(2, "b");
        q.queue("a", a);
        assertEquals(List.of(a), q.take(1000, 2, 1, 2));
        q.queue("b", b);
        assertEquals(List.of(b), q.take(1000, 2, 1, 2), "b was sent less often");
        assertEquals(List.of(b), q.take(1000, 2, 1, 2), "equal counts: newest first");
        assertEquals(1, q.size(), "b retired after 2 sends");
        assertEquals(List.of(a), q.take(1000, 2, 5, 2));
        assertEquals(0, q.size());
    }

    @Test
    void takeRespectsTheByteBudget() {
        BroadcastQueue q = new BroadcastQueue();
        for (int i = 0; i < 100; i++) {
            q.queue("k" + i, new Msg.Alive("node-" + i, i, new Addr("10.0.0.1", 1), java.util.Map.of()));
        }
        List<Msg> got = q.take(300, 2, 255, 10);
        int used = 0;
        for (Msg m : got) {
            used += WireCodec.size(m) + 2;
        }
        assertTrue(used <= 300 && !got.isEmpty(), "used " + used);
        assertTrue(300 - used < WireCodec.size(got.get(0)) + 2, "budget filled as far as possible");
    }

    @Test
    void queueIsBounded() {
        BroadcastQueue q = new BroadcastQueue();
        for (int i = 0; i < BroadcastQueue.MAX_ENTRIES + 10; i++) {
            q.queue("k" + i, new Msg.Ack(i, ""));
        }
        assertEquals(BroadcastQueue.MAX_ENTRIES, q.size());
        assertEquals(10, q.dropped());
    }
}
