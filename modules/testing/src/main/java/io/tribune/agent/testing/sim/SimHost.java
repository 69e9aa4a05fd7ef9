package io.tribune.agent.testing.sim;

import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.VirtualClock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The machine one simulated agent runs on: a clock that runs at the machine's own rate, a scheduler
 * whose delays are measured on that clock, and a power switch. It is what {@link SimCluster} hands
 * to each agent's platform in place of the shared {@link SimScheduler} and {@link VirtualClock}.
 *
 * <p><b>Drift.</b> The clock advances {@code rate} times as fast as the simulation's virtual clock
 * (it starts, at the host's creation, at the virtual clock's reading), and a delay of {@code d} on
 * this host's scheduler lasts {@code d / rate} of virtual time, so that an agent's timers and its
 * clock agree with each other, as on a real machine whose oscillator is off, and disagree with the
 * other machines'. The rate is fixed for the host's life.
 *
 * <p><b>Crash.</b> {@link #crash()} is the power switch: every task this host scheduled and that has
 * not run yet is dropped, and so is every later submission (as the {@link Scheduler} contract says of
 * a platform that shut down); a periodic task cancels itself at its next turn. Nothing a crashed
 * agent left on the shared scheduler runs afterwards, which is what makes a restart with the same
 * durable storage (see {@link SimDisk}) a faithful model of a process that died.
 *
 * <p><b>Threading.</b> Like the {@link SimScheduler} under it: one simulation thread calls
 * everything.
 */
public final class SimHost {
    /** Fastest or slowest a host clock may run relative to the virtual clock: a sanity bound, not Raft's. */
    public static final double MAX_RATE_DEVIATION = 0.25;

    private static final Duration FAR = Duration.ofDays(365);

    private final String name;
    private final SimScheduler scheduler;
    private final VirtualClock master;
    private final double rate;
    private final long origin;
    private boolean crashed;
    private final Clock clock = new Clock() {
        @Override
        public long nanos() {
            return origin + (long) ((master.nanos() - origin) * rate);
        }

        @Override
        public long wallMillis() {
            return VirtualClock.EPOCH_WALL_MILLIS + nanos() / 1_000_000L;
        }
    };
    private final Scheduler view = new Scheduler() {
        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            Objects.requireNonNull(task, "task");
            if (crashed) {
                return () -> false;
            }
            return scheduler.schedule(scaled(delay), guarded(task));
        }

        @Override
        public Cancellable scheduleWithFixedDelay(Duration initialDelay, Duration period, Runnable task) {
            Objects.requireNonNull(task, "task");
            if (period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("period must be positive, got " + period);
            }
            if (crashed) {
                return () -> false;
            }
            Cancellable[] self = new Cancellable[1];
            Duration p = scaled(period);
            self[0] = scheduler.scheduleWithFixedDelay(scaled(initialDelay),
                    p.isZero() ? Duration.ofNanos(1) : p, () -> {
                        if (crashed) {
                            self[0].cancel();
                            return;
                        }
                        task.run();
                    });
            return self[0];
        }

        @Override
        public void execute(Runnable task) {
            Objects.requireNonNull(task, "task");
            if (!crashed) {
                scheduler.execute(guarded(task));
            }
        }

        @Override
        public Executor serial(String name) {
            // Everything already runs one task at a time in submission order.
            return this::execute;
        }
    };

    /**
     * A host named {@code name} on {@code scheduler}, whose clock runs at {@code rate} times the
     * virtual clock's speed.
     *
     * @throws IllegalArgumentException when {@code rate} is outside {@code [1 - MAX_RATE_DEVIATION, 1 + MAX_RATE_DEVIATION]}
     */
    public SimHost(String name, SimScheduler scheduler, double rate) {
        this.name = Objects.requireNonNull(name, "name");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        if (!(rate >= 1 - MAX_RATE_DEVIATION && rate <= 1 + MAX_RATE_DEVIATION)) {
            throw new IllegalArgumentException("clock rate of " + name + " must be within " + MAX_RATE_DEVIATION
                    + " of 1, got " + rate);
        }
        this.rate = rate;
        this.master = scheduler.clock();
        this.origin = master.nanos();
    }

    /** The host's name (its agent's node name). */
    public String name() {
        return name;
    }

    /** How fast this host's clock runs relative to the virtual clock. */
    public double rate() {
        return rate;
    }

    /** The host's clock. */
    public Clock clock() {
        return clock;
    }

    /** The host's scheduler: delays on the host's clock; nothing runs after {@link #crash()}. */
    public Scheduler scheduler() {
        return view;
    }

    /** Cuts the power: every pending and later task of this host is dropped. Idempotent. */
    public void crash() {
        crashed = true;
    }

    /** Whether {@link #crash()} was called. */
    public boolean isCrashed() {
        return crashed;
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            if (!crashed) {
                task.run();
            }
        };
    }

    /** A delay on this host's clock as virtual time: {@code d / rate}. */
    private Duration scaled(Duration d) {
        if (d.isNegative() || d.isZero()) {
            return Duration.ZERO;
        }
        if (d.compareTo(FAR) > 0) {
            return FAR; // "never" in any run; keeps the arithmetic in range
        }
        return Duration.ofNanos((long) Math.ceil(d.toNanos() / rate));
    }
}
