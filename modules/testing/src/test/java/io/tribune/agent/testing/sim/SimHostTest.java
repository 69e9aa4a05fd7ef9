package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tribune.testkit.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A host's clock and timers run at its rate; after a crash nothing of it runs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimHostTest {
    private final SimScheduler sim = new SimScheduler();

    @Test
    void aFastHostsTimersFireEarlierInVirtualTimeAndItsClockAgreesWithThem() {
        SimHost fast = new SimHost("fast", sim, 1.25);
        long[] firedAt = {-1, -1};
        fast.scheduler().schedule(Duration.ofSeconds(1), () -> {
            firedAt[0] = sim.clock().nanos();
            firedAt[1] = fast.clock().nanos();
        });
        sim.runFor(Duration.ofSeconds(2));
        assertEquals(Duration.ofMillis(800).toNanos(), firedAt[0], "1 s of a clock 25% fast is 0.8 s of virtual time");
        assertEquals(Duration.ofSeconds(1).toNanos(), firedAt[1], "and the host's own clock reads 1 s then");
    }

    @Test
    void aSlowHostsPeriodicTaskRunsAtItsOwnPace() {
        SimHost slow = new SimHost("slow", sim, 0.8);
        List<Long> runs = new ArrayList<>();
        slow.scheduler().scheduleWithFixedDelay(Duration.ofMillis(100), Duration.ofMillis(100),
                () -> runs.add(sim.clock().nanos() / 1_000_000));
        sim.runFor(Duration.ofMillis(400));
        assertEquals(List.of(125L, 250L, 375L), runs);
    }

    @Test
    void aCrashDropsWhatWasPendingWhatComesLaterAndStopsPeriodicTasks() {
        SimHost host = new SimHost("h", sim, 1.0);
        List<String> ran = new ArrayList<>();
        host.scheduler().schedule(Duration.ofMillis(10), () -> ran.add("early"));
        host.scheduler().schedule(Duration.ofMillis(100), () -> ran.add("pending"));
        host.scheduler().scheduleWithFixedDelay(Duration.ofMillis(20), Duration.ofMillis(20), () -> ran.add("tick"));
        sim.runFor(Duration.ofMillis(50));
        host.crash();
        host.scheduler().execute(() -> ran.add("after"));
        host.scheduler().schedule(Duration.ZERO, () -> ran.add("after"));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(List.of("early", "tick", "tick"), ran);
        assertEquals(0, sim.nextDueNanos() == -1 ? 0 : 1, "the periodic task cancelled itself");
    }

    @Test
    void aRateOutsideTheSanityBoundIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SimHost("h", sim, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new SimHost("h", sim, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new SimHost("h", sim, Double.NaN));
    }
}
