package io.tribune.testkit;

import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * A deterministic, single-threaded {@link Scheduler} on a {@link VirtualClock}.
 *
 * <p>Tasks are kept in a queue ordered by due time, then by submission sequence. Nothing runs
 * until the test calls {@link #runNext()}, {@link #runUntilIdle(int)}, {@link #runFor(Duration)} or
 * {@link #runUntil(BooleanSupplier, Duration)}, on the test's thread; each call advances the clock
 * to the due time of the task it runs. Given the same submissions, a run is identical every time.
 *
 * <p>Task exceptions are recorded (see {@link #failures()}) and rethrown by the run methods when
 * {@link #failOnTaskError} is true (the default), so a bug in a plugin fails the test that found it.
 */
public final class SimScheduler implements Scheduler {
    private final VirtualClock clock;
    private final PriorityQueue<Task> queue = new PriorityQueue<>();
    private final java.util.List<Throwable> failures = new java.util.ArrayList<>();
    private long sequence;
    private long executed;
    private boolean failOnTaskError = true;

    /** A scheduler with its own clock at zero. */
    public SimScheduler() {
        this(new VirtualClock());
    }

    /** A scheduler driving {@code clock}. */
    public SimScheduler(VirtualClock clock) {
        this.clock = clock;
    }

    /** The clock this scheduler advances. */
    public VirtualClock clock() {
        return clock;
    }

    /** Whether a task's exception is rethrown from the run method (default true). */
    public SimScheduler failOnTaskError(boolean fail) {
        this.failOnTaskError = fail;
        return this;
    }

    /** Exceptions thrown by tasks so far. */
    public java.util.List<Throwable> failures() {
        return java.util.List.copyOf(failures);
    }

    /** How many tasks have run. */
    public long executedCount() {
        return executed;
    }

    /** How many tasks are waiting (cancelled ones excluded lazily, so this is an upper bound). */
    public int pendingCount() {
        return queue.size();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
        long due = clock.nanos() + Math.max(0, delay.toNanos());
        Task t = new Task(due, sequence++, task, 0);
        queue.add(t);
        return t;
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration period, Runnable task) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        Task t = new Task(clock.nanos() + Math.max(0, initialDelay.toNanos()), sequence++, task, period.toNanos());
        queue.add(t);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        schedule(Duration.ZERO, task);
    }

    @Override
    public Executor serial(String name) {
        // Everything already runs one task at a time in submission order.
        return this::execute;
    }

    /** Due time of the next live task, or -1 when none. */
    public long nextDueNanos() {
        purgeCancelled();
        Task t = queue.peek();
        return t == null ? -1 : t.due;
    }

    /** Runs the next task (advancing the clock to its due time); false when the queue is empty. */
    public boolean runNext() {
        purgeCancelled();
        Task t = queue.poll();
        if (t == null) {
            return false;
        }
        clock.advanceTo(t.due);
        run(t);
        return true;
    }

    /** Runs tasks due at or before now, without advancing time; returns how many ran. */
    public int runDue() {
        int n = 0;
        while (true) {
            purgeCancelled();
            Task t = queue.peek();
            if (t == null || t.due > clock.nanos()) {
                return n;
            }
            queue.poll();
            run(t);
            n++;
        }
    }

    /**
     * Runs tasks until none is left or {@code maxTasks} have run (periodic tasks never leave the
     * queue, so use {@link #runFor} when there are any).
     *
     * @return how many ran
     */
    public int runUntilIdle(int maxTasks) {
        int n = 0;
        while (n < maxTasks && runNext()) {
            n++;
        }
        return n;
    }

    /** Runs every task due within {@code d} from now, then sets the clock to now + d. */
    public void runFor(Duration d) {
        long end = clock.nanos() + d.toNanos();
        while (true) {
            purgeCancelled();
            Task t = queue.peek();
            if (t == null || t.due > end) {
                break;
            }
            queue.poll();
            clock.advanceTo(t.due);
            run(t);
        }
        clock.advanceTo(end);
    }

    /**
     * Runs tasks until {@code condition} holds (checked before each task) or virtual time
     * {@code limit} has passed.
     *
     * @return whether the condition held
     */
    public boolean runUntil(BooleanSupplier condition, Duration limit) {
        long end = clock.nanos() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            purgeCancelled();
            Task t = queue.peek();
            if (t == null || t.due > end) {
                clock.advanceTo(end);
                return condition.getAsBoolean();
            }
            queue.poll();
            clock.advanceTo(t.due);
            run(t);
        }
        return true;
    }

    private void purgeCancelled() {
        while (!queue.isEmpty() && queue.peek().cancelled) {
            queue.poll();
        }
    }

    private void run(Task t) {
        executed++;
        try {
            t.action.run();
        } catch (Throwable e) {
            failures.add(e);
            if (failOnTaskError) {
                if (t.period > 0 && !t.cancelled) {
                    requeue(t);
                }
                if (e instanceof RuntimeException re) {
                    throw re;
                }
                if (e instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(e);
            }
        }
        if (t.period > 0 && !t.cancelled) {
            requeue(t);
        }
    }

    private void requeue(Task t) {
        t.due = clock.nanos() + t.period;
        t.seq = sequence++;
        queue.add(t);
    }

    private static final class Task implements Comparable<Task>, Cancellable {
        long due;
        long seq;
        final Runnable action;
        final long period;
        boolean cancelled;

        Task(long due, long seq, Runnable action, long period) {
            this.due = due;
            this.seq = seq;
            this.action = action;
            this.period = period;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public boolean cancel() {
            boolean was = !cancelled;
            cancelled = true;
            return was;
        }
    }
}
