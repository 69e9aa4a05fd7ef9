package io.tribune.membership.fixed.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.Subscription;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.tck.membership.MembershipCapability;
import io.tribune.tck.membership.MembershipConformanceTest;
import io.tribune.tck.membership.MembershipEnvironment;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Tests the kit itself: {@code membership-static} wrapped so that it hides its queries, as a
 * plugin written before the capability existed does (it inherits {@code Membership.queries()}'s
 * empty default). Declaring no {@code QUERIES}, it must pass every query test through the
 * documented fallback, which shows that the kit checks the absence instead of skipping.
 */
public class StaticMembershipWithoutQueriesConformanceTest extends MembershipConformanceTest {

    @Override
    protected MembershipFactory factory() {
        MembershipFactory inner = new StaticMembershipFactory();
        return new MembershipFactory() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public Membership create(MembershipSetup setup, PluginConfig config, PluginContext context) {
                return new WithoutQueries(inner.create(setup, config, context));
            }
        };
    }

    @Override
    protected MembershipEnvironment environment() {
        return MembershipEnvironment.simulated(43);
    }

    @Override
    protected Set<MembershipCapability> capabilities() {
        return EnumSet.noneOf(MembershipCapability.class);
    }

    @Override
    protected MembershipSetup setup(int i, Map<String, String> tags) {
        return new MembershipSetup("node-" + i, Pool.LAN, "127.0.0.1", 17100 + i, "127.0.0.1", tags);
    }

    /** Delegates everything but {@code queries()}, which keeps the SPI's default. */
    private record WithoutQueries(Membership m) implements Membership {
        @Override
        public void start() {
            m.start();
        }

        @Override
        public Member localMember() {
            return m.localMember();
        }

        @Override
        public List<Member> members() {
            return m.members();
        }

        @Override
        public CompletableFuture<Integer> join(List<String> seeds) {
            return m.join(seeds);
        }

        @Override
        public CompletableFuture<Void> leave(Duration timeout) {
            return m.leave(timeout);
        }

        @Override
        public CompletableFuture<Void> forceLeave(String name, boolean prune) {
            return m.forceLeave(name, prune);
        }

        @Override
        public CompletableFuture<Void> updateTags(Map<String, String> tags) {
            return m.updateTags(tags);
        }

        @Override
        public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
            return m.broadcast(name, payload, coalesce);
        }

        @Override
        public Subscription subscribe(MembershipListener listener) {
            return m.subscribe(listener);
        }

        @Override
        public void close() {
            m.close();
        }
    }
}
