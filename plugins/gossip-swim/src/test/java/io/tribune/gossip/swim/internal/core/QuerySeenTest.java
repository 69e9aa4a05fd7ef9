package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuerySeenTest {

    @Test
    void aQueryIsNewOncePerOriginAndId() {
        QuerySeen s = new QuerySeen();
        assertTrue(s.record("a", 1, 5000, 0));
        assertFalse(s.record("a", 1, 5000, 10));
        assertTrue(s.record("b", 1, 5000, 10), "another origin's id 1 is another query");
        assertTrue(s.record("a", 2, 5000, 10));
    }

    @Test
    void entriesAreForgottenAfterTheLongerOfTimeoutAndTheMinimumRetention() {
        QuerySeen s = new QuerySeen();
        s.record("a", 1, 1000, 0);
        s.record("a", 2, QuerySeen.MIN_RETAIN_MILLIS + 5000, 0);
        s.forget(QuerySeen.MIN_RETAIN_MILLIS - 1);
        assertEquals(2, s.size(), "a 1 s query is still kept for the minimum retention");
        assertFalse(s.record("a", 1, 1000, QuerySeen.MIN_RETAIN_MILLIS - 1));
        s.forget(QuerySeen.MIN_RETAIN_MILLIS);
        assertEquals(1, s.size());
        s.forget(QuerySeen.MIN_RETAIN_MILLIS + 5000);
        assertEquals(0, s.size());
    }

    @Test
    void theAnswerSentIsKeptWithTheEntryAndForgottenWithIt() {
        QuerySeen s = new QuerySeen();
        Msg.QueryAnswer a = new Msg.QueryAnswer(1, "me", new byte[] {1}, null);
        s.answered("a", 1, a);
        assertEquals(null, s.answerTo("a", 1), "not recorded: nothing kept");
        s.record("a", 1, 1000, 0);
        assertEquals(null, s.answerTo("a", 1), "not answered yet");
        s.answered("a", 1, a);
        assertEquals(a, s.answerTo("a", 1));
        s.forget(QuerySeen.MIN_RETAIN_MILLIS);
        assertEquals(null, s.answerTo("a", 1));
    }

    @Test
    void memoryIsBoundedByEvictingTheOldest() {
        QuerySeen s = new QuerySeen();
        for (int i = 0; i < QuerySeen.MAX_ENTRIES + 10; i++) {
            assertTrue(s.record("a", i, 5000, 0));
        }
        assertEquals(QuerySeen.MAX_ENTRIES, s.size());
        assertEquals(10, s.evicted());
        assertFalse(s.record("a", QuerySeen.MAX_ENTRIES + 9, 5000, 0), "recent ones are remembered");
        assertTrue(s.record("a", 0, 5000, 0), "the oldest was evicted");
    }
}
