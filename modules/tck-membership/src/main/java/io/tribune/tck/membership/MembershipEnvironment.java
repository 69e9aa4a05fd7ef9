package io.tribune.tck.membership;

import io.tribune.api.PluginContext;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Where a suite's instances run: the platform services they get and how the test waits for
 * them. {@link #simulated(long)} runs every instance on one {@link SimScheduler} in virtual time
 * (for plugins without sockets); {@link #real()} gives each instance real threads and time (for
 * plugins with sockets).
 */
public interface MembershipEnvironment extends AutoCloseable {

    /** A context for one node; each call gives a new one. */
    PluginContext context(String nodeName);

    /**
     * Waits until {@code condition} holds or {@code limit} passes (virtual or real time).
     *
     * @return whether it held
     */
    boolean await(BooleanSupplier condition, Duration limit);

    /** Lets {@code d} pass (virtual or real) while the instances run; for asserting absences. */
    default void settle(Duration d) {
        await(() -> false, d);
    }

    /** Stops the schedulers this environment created. */
    @Override
    void close();

    /** All instances on one deterministic scheduler; {@link #await} runs it on the caller's thread. */
    static MembershipEnvironment simulated(long seed) {
        SimScheduler sim = new SimScheduler();
        return new MembershipEnvironment() {
            private long next = seed;

            @Override
            public PluginContext context(String nodeName) {
                return TestContext.simulated(nodeName, sim, next++);
            }

            @Override
            public boolean await(BooleanSupplier condition, Duration limit) {
                return sim.runUntil(condition, limit);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Real time: each context gets its own {@link RealScheduler}; {@link #await} polls every 10 ms. */
    static MembershipEnvironment real() {
        List<RealScheduler> schedulers = new ArrayList<>();
        return new MembershipEnvironment() {
            @Override
            public synchronized PluginContext context(String nodeName) {
                RealScheduler rs = new RealScheduler(nodeName);
                schedulers.add(rs);
                return TestContext.builder(nodeName).clock(rs).scheduler(rs).seed(nodeName.hashCode()).build();
            }

            @Override
            public boolean await(BooleanSupplier condition, Duration limit) {
                long end = System.nanoTime() + limit.toNanos();
                while (!condition.getAsBoolean()) {
                    if (System.nanoTime() - end >= 0) {
                        return condition.getAsBoolean();
                    }
                    LockSupport.parkNanos(10_000_000L);
                }
                return true;
            }

            @Override
            public synchronized void close() {
                schedulers.forEach(RealScheduler::close);
                schedulers.clear();
            }
        };
    }
}
