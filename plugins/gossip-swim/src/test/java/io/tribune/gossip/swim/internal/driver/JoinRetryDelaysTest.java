package io.tribune.gossip.swim.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waits of a join that reaches no seed: short first, doubling, within the configured window. */
class JoinRetryDelaysTest {
    private static List<Duration> ms(long... v) {
        return java.util.Arrays.stream(v).mapToObj(Duration::ofMillis).toList();
    }

    private static Duration sum(List<Duration> ds) {
        return ds.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Test
    void theDefaultsRetrySoonThenDoubleWithinTwoSeconds() {
        List<Duration> d = SwimMembership.joinRetryDelays(2, Duration.ofSeconds(1));
        assertEquals(ms(100, 200, 400, 800, 500), d, "the last wait ends the 2 s window exactly");
        assertEquals(Duration.ofSeconds(2), sum(d));
    }

    @Test
    void noRetriesMeansNoWait() {
        assertEquals(List.of(), SwimMembership.joinRetryDelays(0, Duration.ofSeconds(1)));
    }

    @Test
    void waitsNeverExceedTheIntervalAndFillTheWindow() {
        for (int retries : new int[] {1, 2, 5, 20, 100}) {
            for (long intervalMs : new long[] {1, 50, 100, 150, 200, 1000, 30_000}) {
                Duration interval = Duration.ofMillis(intervalMs);
                List<Duration> d = SwimMembership.joinRetryDelays(retries, interval);
                assertEquals(interval.multipliedBy(retries), sum(d), retries + " x " + interval);
                assertTrue(d.stream().allMatch(x -> x.compareTo(interval) <= 0 && !x.isZero()), d.toString());
                assertTrue(d.size() <= retries + 17, "bounded: " + d.size());
            }
        }
    }

    @Test
    void anIntervalShorterThanTheFirstWaitIsUsedAsIs() {
        assertEquals(ms(50, 50, 50), SwimMembership.joinRetryDelays(3, Duration.ofMillis(50)));
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SwimMembership.joinRetryDelays(-1, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> SwimMembership.joinRetryDelays(1, Duration.ZERO));
    }
}
