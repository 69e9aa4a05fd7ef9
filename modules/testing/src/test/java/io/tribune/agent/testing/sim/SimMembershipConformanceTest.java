package io.tribune.agent.testing.sim;

import io.tribune.api.PluginContext;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.tck.membership.MembershipCapability;
import io.tribune.tck.membership.MembershipConformanceTest;
import io.tribune.tck.membership.MembershipEnvironment;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Timeout;

/**
 * Binds the membership kit to {@code membership-sim}: views of one pool reach each other (PEERS), and
 * the pool fails a view closed without leaving 3 s after its close (FAILURE_DETECTION); no queries.
 * Every test gets a fresh pool on a fresh scheduler, with propagation delays of 1..200 ms.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimMembershipConformanceTest extends MembershipConformanceTest {
    private SimPool pool;

    @Override
    protected MembershipFactory factory() {
        return pool.factory();
    }

    @Override
    protected MembershipEnvironment environment() {
        SimScheduler sim = new SimScheduler();
        pool = SimPool.builder(sim).seed(7).propagation(Duration.ofMillis(1), Duration.ofMillis(200))
                .detectClosedAfter(Duration.ofSeconds(3)).build();
        return new MembershipEnvironment() {
            private long next = 11;

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

    @Override
    protected Set<MembershipCapability> capabilities() {
        return EnumSet.of(MembershipCapability.PEERS, MembershipCapability.FAILURE_DETECTION);
    }
}
