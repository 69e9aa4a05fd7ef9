package io.tribune.api;

import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Runs tasks later or on another thread, on the platform's clock.
 *
 * <p>Contract:
 * <ul>
 *   <li>Tasks run on threads owned by the platform (in the simulator, on the single simulation
 *       thread). A task must not block for long: blocking work (disk, sockets) belongs to a thread
 *       the plugin's driver owns.</li>
 *   <li>Tasks scheduled for the same instant run in submission order; tasks given to
 *       {@link #serial(String)} executors never overlap and run in submission order.</li>
 *   <li>An exception thrown by a task is logged by the platform and does not cancel other tasks;
 *       a periodic task that throws keeps its schedule.</li>
 *   <li>After the platform shuts down, new submissions are silently dropped.</li>
 * </ul>
 */
public interface Scheduler extends Executor {

    /** Runs {@code task} once after {@code delay} (zero or negative: as soon as possible). */
    Cancellable schedule(Duration delay, Runnable task);

    /**
     * Runs {@code task} every {@code period}, the first time after {@code initialDelay}. The next
     * run is scheduled when the previous one ends, so runs never overlap.
     */
    Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration period, Runnable task);

    /** Runs {@code task} as soon as possible. */
    @Override
    void execute(Runnable task);

    /**
     * An executor whose tasks run one at a time in submission order, on the platform's threads.
     * Use it to confine a protocol core to one logical thread without owning a thread.
     *
     * @param name used in thread names and logs
     */
    Executor serial(String name);
}
