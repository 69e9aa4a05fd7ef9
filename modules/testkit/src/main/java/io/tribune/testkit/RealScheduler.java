package io.tribune.testkit;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.platform.SystemPlatform;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * A real-time clock and scheduler for tests that run on real threads (socket transports, crash
 * tests): the production {@link SystemPlatform} with two daemon threads named after the test, so
 * that such tests run exactly the scheduler the agent runs. {@link #close()} stops the threads.
 */
public final class RealScheduler implements Scheduler, Clock, AutoCloseable {
    private final SystemPlatform platform;

    /** A scheduler with two daemon threads named {@code test-sched-<name>-N}. */
    public RealScheduler(String name) {
        this.platform = new SystemPlatform(2, "test-sched-" + name);
    }

    @Override
    public long nanos() {
        return platform.nanos();
    }

    @Override
    public long wallMillis() {
        return platform.wallMillis();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        return platform.schedule(delay, task);
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration period, Runnable task) {
        return platform.scheduleWithFixedDelay(initialDelay, period, task);
    }

    @Override
    public void execute(Runnable task) {
        platform.execute(task);
    }

    @Override
    public Executor serial(String name) {
        return platform.serial(name);
    }

    @Override
    public void close() {
        platform.close();
    }
}
