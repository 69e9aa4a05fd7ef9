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

    @Test
    void formatDurationMatchesGosFormattingAndParsesBack() {
        Object[][] table = {
            {Duration.ZERO, "0s"}, {Duration.ofSeconds(10), "10s"}, {Duration.ofSeconds(90), "1m30s"},
            {Duration.ofHours(1), "1h0m0s"}, {Duration.ofHours(24), "24h0m0s"}, {Duration.ofMillis(1500), "1.5s"},
            {Duration.ofMillis(250), "250ms"}, {Duration.ofNanos(1500), "1500ns"}, {Duration.ofNanos(2000), "2\u00b5s"},
        };
        for (Object[] row : table) {
            assertEquals(row[1], BlockingWait.formatDuration((Duration) row[0]), row[0].toString());
            assertEquals(row[0], BlockingWait.parseDuration((String) row[1]), (String) row[1]);
        }
    }
}
