package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlockingWaitTest {

    @Test
    void waitDefaultsClampsAndAddsAtMostASixteenthOfJitter() {
        assertEquals(Duration.ofMinutes(5), BlockingWait.effectiveWait(null, 0));
        assertEquals(Duration.ofMinutes(5), BlockingWait.effectiveWait(Duration.ZERO, 0));
        assertEquals(Duration.ofMinutes(10), BlockingWait.effectiveWait(Duration.ofHours(1), 0));
        assertEquals(Duration.ofSeconds(16), BlockingWait.effectiveWait(Duration.ofSeconds(16), 0));
        assertEquals(Duration.ofSeconds(16).plusMillis(500), BlockingWait.effectiveWait(Duration.ofSeconds(16), 0.5));
        Duration max = BlockingWait.effectiveWait(Duration.ofMinutes(10), Math.nextDown(1.0));
        assertTrue(max.compareTo(Duration.ofMinutes(10).plusMillis(37_500)) < 0, max.toString());
        assertTrue(max.compareTo(Duration.ofMinutes(10).plusMillis(37_499)) > 0, max.toString());
        assertThrows(IllegalArgumentException.class, () -> BlockingWait.effectiveWait(null, 1.0));
        assertThrows(IllegalArgumentException.class, () -> BlockingWait.effectiveWait(null, Double.NaN));
    }

    @Test
    void parsesGoDurations() {
        assertEquals(Duration.ofSeconds(10), BlockingWait.parseDuration("10s"));
        assertEquals(Duration.ofSeconds(90), BlockingWait.parseDuration("1m30s"));
        assertEquals(Duration.ofMinutes(90), BlockingWait.parseDuration("1.5h"));
        assertEquals(Duration.ofMillis(250), BlockingWait.parseDuration("250ms"));
        assertEquals(Duration.ofNanos(1500), BlockingWait.parseDuration("1.5us"));
        assertEquals(Duration.ZERO, BlockingWait.parseDuration("0"));
        assertEquals(Duration.ofSeconds(-2), BlockingWait.parseDuration("-2s"));
        for (String bad : new String[] {"", "10", "s", "10x", "1..5s", "ms10", "-"}) {
            assertThrows(IllegalArgumentException.class, () -> BlockingWait.parseDuration(bad), bad);
        }
    }
}
