package io.tribune.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Cancellable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimSchedulerTest {

    @Test
    void tasksRunInDueOrderThenSubmissionOrder() {
        SimScheduler s = new SimScheduler();
        List<String> log = new ArrayList<>();
        s.schedule(Duration.ofMillis(20), () -> log.add("c@" + s.clock().millis()));
        s.schedule(Duration.ofMillis(10), () -> log.add("a@" + s.clock().millis()));
        s.schedule(Duration.ofMillis(10), () -> log.add("b@" + s.clock().millis()));
        assertEquals(3, s.runUntilIdle(100));
        assertEquals(List.of("a@10", "b@10", "c@20"), log);
    }

    @Test
    void cancelledTaskNeverRuns() {
        SimScheduler s = new SimScheduler();
        List<String> log = new ArrayList<>();
        Cancellable c = s.schedule(Duration.ofMillis(5), () -> log.add("x"));
        assertTrue(c.cancel());
        assertFalse(c.cancel());
        s.runFor(Duration.ofSeconds(1));
        assertTrue(log.isEmpty());
        assertEquals(1000, s.clock().millis());
    }

    @Test
    void periodicTaskRepeatsWithFixedDelay() {
        SimScheduler s = new SimScheduler();
        List<Long> at = new ArrayList<>();
        s.scheduleWithFixedDelay(Duration.ofMillis(100), Duration.ofMillis(250), () -> at.add(s.clock().millis()));
        s.runFor(Duration.ofMillis(1000));
        assertEquals(List.of(100L, 350L, 600L, 850L), at);
    }

    @Test
    void runUntilStopsAtConditionOrLimit() {
        SimScheduler s = new SimScheduler();
        int[] n = {0};
        s.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(10), () -> n[0]++);
        assertTrue(s.runUntil(() -> n[0] == 5, Duration.ofSeconds(1)));
        assertEquals(40, s.clock().millis());
        assertFalse(s.runUntil(() -> false, Duration.ofMillis(100)));
        assertEquals(140, s.clock().millis());
    }

    @Test
    void taskFailureIsRethrownAndRecorded() {
        SimScheduler s = new SimScheduler();
        s.execute(() -> {
            throw new IllegalStateException("boom");
        });
        assertThrows(IllegalStateException.class, () -> s.runUntilIdle(10));
        assertEquals(1, s.failures().size());
    }

    @Test
    void driftedClockRunsFaster() {
        VirtualClock c = new VirtualClock();
        c.advance(Duration.ofSeconds(1));
        var fast = c.withDrift(1.5);
        assertEquals(1000, fast.millis());
        c.advance(Duration.ofSeconds(2));
        assertEquals(4000, fast.millis());
    }

    @Test
    void sameSeedSameRandomness() {
        SimScheduler s = new SimScheduler();
        long a = TestContext.simulated("n", s, 42).random().nextLong();
        long b = TestContext.simulated("n", s, 42).random().nextLong();
        assertEquals(a, b);
    }
}
