package io.tribune.membership.fixed.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.tck.membership.MembershipCapability;
import io.tribune.tck.membership.MembershipConformanceTest;
import io.tribune.tck.membership.MembershipEnvironment;
import io.tribune.testkit.ForwardingMembership;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /** The conformance kit's local-only behaviour: join lists the seeds (the plugin refuses by default). */
    @Override
    protected PluginConfig config(int i) {
        return PluginConfig.of(Map.of(StaticConfig.JOIN, "record"));
    }

    @Override
    protected MembershipSetup setup(int i, Map<String, String> tags) {
        return new MembershipSetup("node-" + i, Pool.LAN, "127.0.0.1", 17100 + i, "127.0.0.1", tags);
    }

    /** Delegates everything but {@code queries()}, which keeps the SPI's default. */
    private static final class WithoutQueries extends ForwardingMembership {
        WithoutQueries(Membership m) {
            super(m);
        }

        @Override
        public Optional<MemberQueries> queries() {
            return Optional.empty();
        }
    }
}
