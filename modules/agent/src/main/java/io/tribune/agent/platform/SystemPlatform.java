package io.tribune.agent.platform;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production clock and scheduler: the JDK's monotonic and wall clocks and a small pool of
 * daemon threads. Tasks must not block (see {@link Scheduler}); a task that throws is logged and
 * does not disturb others.
 */
public final class SystemPlatform implements Clock, Scheduler, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SystemPlatform.class.getName());
    private final ScheduledThreadPoolExecutor pool;

    /** A platform with {@code threads} scheduler threads. */
    public SystemPlatform(int threads) {
        AtomicInteger n = new AtomicInteger();
        pool = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, "tribune-sched-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy());
        pool.setRemoveOnCancelPolicy(true);
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
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
        return new Serial(this);
    }

    private static Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "scheduled task failed", t);
            }
        };
    }

    /** Stops the threads; tasks not yet started are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs its tasks one at a time, in order, on the pool. */
    private static final class Serial implements Executor {
        private final Executor pool;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean active;

        Serial(Executor pool) {
            this.pool = pool;
        }

        @Override
        public void execute(Runnable r) {
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
            for (int i = 0; i < 256; i++) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        active = false;
                        return;
                    }
                }
                next.run();
            }
            // Yield the thread to others after a long run, keeping order.
            pool.execute(this::drain);
        }
    }
}
