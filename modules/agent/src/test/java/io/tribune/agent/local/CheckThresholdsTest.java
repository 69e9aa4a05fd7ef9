package io.tribune.agent.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.state.HealthStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CheckThresholdsTest {
    private static final HealthStatus P = HealthStatus.PASSING;
    private static final HealthStatus W = HealthStatus.WARNING;
    private static final HealthStatus C = HealthStatus.CRITICAL;

    /** Feeds results and returns a string with 'y' for each reported one and '.' for each held back. */
    private static String run(CheckThresholds t, HealthStatus... results) {
        CheckThresholds.Counter c = new CheckThresholds.Counter();
        StringBuilder sb = new StringBuilder();
        for (HealthStatus r : results) {
            sb.append(c.report(r, t) ? 'y' : '.');
        }
        return sb.toString();
    }

    @Test
    void withoutThresholdsEveryResultIsReported() {
        assertEquals("yyyyy", run(CheckThresholds.NONE, P, C, P, W, C));
        assertEquals("yyy", run(new CheckThresholds(1, 1), C, P, C));
    }

    @Test
    void passingNeedsAnUnbrokenRunOfSuccesses() {
        CheckThresholds t = new CheckThresholds(3, 0);
        assertEquals("..yy", run(t, P, P, P, P));
        // A failure in between restarts the count (and is itself reported at once).
        assertEquals("..y..y", run(t, P, P, C, P, P, P));
    }

    @Test
    void criticalNeedsAnUnbrokenRunOfFailures() {
        CheckThresholds t = new CheckThresholds(0, 2);
        assertEquals("y.yy", run(t, P, C, C, C));
        assertEquals("y.y.y", run(t, P, C, P, W, C));
        // Warnings count as failures.
        assertEquals(".y", run(t, W, W));
    }

    @Test
    void bothThresholdsTogetherSuppressFlapping() {
        CheckThresholds t = new CheckThresholds(2, 2);
        assertEquals(".........", run(t, P, C, P, C, P, C, P, C, P));
    }

    @Test
    void firstProbeIsStaggeredWithinTheInterval() {
        Duration i = Duration.ofSeconds(10);
        assertEquals(Duration.ZERO, CheckThresholds.initialDelay(i, 0));
        assertEquals(Duration.ofSeconds(5), CheckThresholds.initialDelay(i, 0.5));
        assertEquals(Duration.ofMillis(9990), CheckThresholds.initialDelay(i, 0.999));
        assertThrows(IllegalArgumentException.class, () -> CheckThresholds.initialDelay(i, 1.0));
        assertThrows(IllegalArgumentException.class, () -> CheckThresholds.initialDelay(i, -0.1));
        assertThrows(IllegalArgumentException.class, () -> new CheckThresholds(-1, 0));
    }
}
