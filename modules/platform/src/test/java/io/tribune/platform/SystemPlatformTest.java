package io.tribune.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SystemPlatformTest {

    @Test
    void serialExecutorRunsTasksInSubmissionOrderAcrossBatches() throws Exception {
        try (SystemPlatform p = new SystemPlatform(4, "t")) {
            Executor serial = p.serial("order");
            int n = SystemPlatform.SERIAL_BATCH * 3 + 7;
            List<Integer> seen = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger concurrent = new AtomicInteger();
            AtomicInteger maxConcurrent = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                int k = i;
                serial.execute(() -> {
                    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                    synchronized (seen) {
                        seen.add(k);
                    }
                    concurrent.decrementAndGet();
                    if (k == n - 1) {
                        done.countDown();
                    }
                });
            }
            assertTrue(done.await(20, TimeUnit.SECONDS));
            assertEquals(n, seen.size());
            for (int i = 0; i < n; i++) {
                assertEquals(i, seen.get(i));
            }
            assertEquals(1, maxConcurrent.get(), "serial tasks overlapped");
        }
    }

    @Test
    void aThrowingTaskDoesNotWedgeItsSerialExecutor() throws Exception {
        try (SystemPlatform p = new SystemPlatform(2, "t")) {
            Executor serial = p.serial("throws");
            CountDownLatch after = new CountDownLatch(1);
            serial.execute(() -> {
                throw new IllegalStateException("boom (expected by the test)");
            });
            serial.execute(after::countDown);
            assertTrue(after.await(10, TimeUnit.SECONDS), "the task after a failing one never ran");
            // And the executor still takes new work once idle again.
            CountDownLatch later = new CountDownLatch(1);
            serial.execute(later::countDown);
            assertTrue(later.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPeriodicTaskThatThrowsKeepsItsSchedule() throws Exception {
        try (SystemPlatform p = new SystemPlatform(1, "t")) {
            CountDownLatch runs = new CountDownLatch(3);
            p.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(5), () -> {
                runs.countDown();
                throw new IllegalStateException("boom (expected by the test)");
            });
            assertTrue(runs.await(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void cancelledTaskNeverRuns() throws Exception {
        try (SystemPlatform p = new SystemPlatform(1, "t")) {
            AtomicInteger ran = new AtomicInteger();
            p.schedule(Duration.ofMillis(200), ran::incrementAndGet).cancel();
            CountDownLatch marker = new CountDownLatch(1);
            p.schedule(Duration.ofMillis(400), marker::countDown);
            assertTrue(marker.await(10, TimeUnit.SECONDS));
            assertEquals(0, ran.get());
        }
    }

    @Test
    void submissionsAfterCloseAreDropped() {
        SystemPlatform p = new SystemPlatform(1, "t");
        p.close();
        assertTrue(p.isClosed());
        AtomicInteger ran = new AtomicInteger();
        p.execute(ran::incrementAndGet);
        p.schedule(Duration.ZERO, ran::incrementAndGet);
        p.serial("x").execute(ran::incrementAndGet);
        assertEquals(0, ran.get());
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SystemPlatform(0));
        try (SystemPlatform p = new SystemPlatform(1)) {
            assertThrows(IllegalArgumentException.class,
                    () -> p.scheduleWithFixedDelay(Duration.ZERO, Duration.ZERO, () -> { }));
        }
    }
}
