package io.tribune.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition in tests that run on real threads and the wall clock (clusters of agents,
 * processes, sockets): polls every 20 ms up to a bound and says whether the condition came true;
 * the caller asserts, with its own message. Tests on a {@link SimScheduler} do not need this.
 */
public final class Poll {
    private static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /**
     * Polls {@code condition} until it is true or {@code limit} has passed, then checks once more.
     *
     * @return whether it came true
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public static boolean until(Duration limit, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
        return condition.getAsBoolean();
    }
}
