package io.tribune.platform;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production clock and scheduler: the JDK's monotonic and wall clocks and a small pool of
 * daemon threads, honouring the {@link Scheduler} contract: tasks must not block; a task that throws
 * is logged and disturbs neither other tasks nor its own periodic schedule nor the serial executor it
 * ran on; after {@link #close()} new submissions are dropped silently.
 *
 * <p>Thread-safe.
 */
public final class SystemPlatform implements Clock, Scheduler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SystemPlatform.class.getName());
    /**
     * Most tasks a serial executor runs in one go before it yields its pool thread (and queues itself
     * again behind the others), so that one busy serial executor cannot starve the rest.
     */
    static final int SERIAL_BATCH = 256;

    private final ScheduledThreadPoolExecutor pool;

    /** A platform with {@code threads} scheduler threads named {@code tribune-sched-N}. */
    public SystemPlatform(int threads) {
        this(threads, "tribune-sched");
    }

    /**
     * A platform with {@code threads} daemon scheduler threads named {@code <threadPrefix>-N}.
     *
     * @throws IllegalArgumentException when {@code threads} is not positive
     */
    public SystemPlatform(int threads, String threadPrefix) {
        if (threads < 1) {
            throw new IllegalArgumentException("a platform needs at least one thread, got " + threads);
        }
        Objects.requireNonNull(threadPrefix, "threadPrefix");
        AtomicInteger n = new AtomicInteger();
        pool = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, threadPrefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        pool.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public long wallMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        ScheduledFuture<?> f = pool.schedule(guard(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration period, Runnable task) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        ScheduledFuture<?> f = pool.scheduleWithFixedDelay(guard(task), Math.max(0, initialDelay.toNanos()),
                period.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        pool.execute(guard(task));
    }

    @Override
    public Executor serial(String name) {
        return new Serial(this, name);
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return pool.isShutdown();
    }

    /** Runs {@code r}, logging instead of propagating what it throws (periodic tasks keep their schedule). */
    private static Runnable guard(Runnable r) {
        Objects.requireNonNull(r, "task");
        return () -> runGuarded(r, "scheduled task");
    }

    private static void runGuarded(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, what + " failed", t);
        }
    }

    /** Stops the threads, waiting up to 5 s for running tasks; tasks not yet started are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs its tasks one at a time, in submission order, on the platform's threads. A task that throws
     * is logged and the next one runs: the queue is never left marked busy.
     */
    static final class Serial implements Executor {
        private final Executor pool;
        private final String name;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean active;

        Serial(Executor pool, String name) {
            this.pool = pool;
            this.name = name;
        }

        @Override
        public void execute(Runnable r) {
            Objects.requireNonNull(r, "task");
            synchronized (this) {
                queue.add(r);
                if (active) {
                    return;
                }
                active = true;
            }
            pool.execute(this::drain);
        }

        private void drain() {
            for (int i = 0; i < SERIAL_BATCH; i++) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        active = false;
                        return;
                    }
                }
                runGuarded(next, "task of serial executor " + name);
            }
            // Yield the thread to others after a long run, keeping order.
            pool.execute(this::drain);
        }
    }
}
