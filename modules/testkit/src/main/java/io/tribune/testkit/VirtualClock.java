package io.tribune.testkit;

import io.tribune.api.Clock;
import java.time.Duration;

/**
 * A clock that moves only when told. Optionally drifts: {@link #withDrift(double)} gives a view
 * that runs faster or slower than this clock, for simulating servers whose clocks disagree.
 *
 * <p>Not thread-safe by design: simulations run on one thread.
 */
public final class VirtualClock implements Clock {
    /** Wall time at virtual time zero: 2026-01-01T00:00:00Z. */
    public static final long EPOCH_WALL_MILLIS = 1_767_225_600_000L;
    private long nanos;

    /** A clock at zero. */
    public VirtualClock() {
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long wallMillis() {
        return EPOCH_WALL_MILLIS + nanos / 1_000_000L;
    }

    /** Moves time forward by {@code d} (never backward). */
    public void advance(Duration d) {
        advanceTo(nanos + d.toNanos());
    }

    /** Moves time forward to {@code target} nanos; earlier targets are ignored. */
    public void advanceTo(long target) {
        if (target > nanos) {
            nanos = target;
        }
    }

    /**
     * A view of this clock whose elapsed time is scaled by {@code rate} (1.01 = 1% fast) and offset
     * so that it starts equal to this clock's current time.
     */
    public Clock withDrift(double rate) {
        if (!(rate > 0.5 && rate < 2.0)) {
            throw new IllegalArgumentException("drift rate " + rate + " is outside (0.5, 2.0)");
        }
        long origin = nanos;
        return new Clock() {
            @Override
            public long nanos() {
                return origin + (long) ((VirtualClock.this.nanos - origin) * rate);
            }

            @Override
            public long wallMillis() {
                return EPOCH_WALL_MILLIS + nanos() / 1_000_000L;
            }
        };
    }
}
