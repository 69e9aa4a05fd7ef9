package io.tribune.testkit;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real-time clock and scheduler for tests that run on real threads (socket transports, crash
 * tests). Daemon threads; {@link #close()} stops them.
 */
public final class RealScheduler implements Scheduler, Clock, AutoCloseable {
    private final ScheduledThreadPoolExecutor pool;

    /** A scheduler with two daemon threads named after {@code name}. */
    public RealScheduler(String name) {
        AtomicInteger n = new AtomicInteger();
        pool = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "test-sched-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
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
        ScheduledFuture<?> f = pool.scheduleWithFixedDelay(guard(task), Math.max(0, initialDelay.toNanos()),
                period.toNanos(), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        if (!pool.isShutdown()) {
            pool.execute(guard(task));
        }
    }

    @Override
    public Executor serial(String name) {
        return new SerialExecutor(this);
    }

    private static Runnable guard(Runnable r) {
        return () -> {
            try {
                r.run();
            } catch (Throwable t) {
                t.printStackTrace();
            }
        };
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** Runs tasks one at a time on an underlying executor. */
    static final class SerialExecutor implements Executor {
        private final Executor delegate;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        SerialExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable r) {
            synchronized (this) {
                tasks.add(r);
                if (running) {
                    return;
                }
                running = true;
            }
            delegate.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (Throwable t) {
                    t.printStackTrace();
                }
            }
        }
    }
}
