package io.tribune.membership.fixed.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.tck.membership.MembershipCapability;
import io.tribune.tck.membership.MembershipConformanceTest;
import io.tribune.tck.membership.MembershipEnvironment;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Binds the membership kit to {@code membership-static}: local only, no failure detection, queries
 * answered by the local member alone, virtual time.
 */
public class StaticMembershipMembershipConformanceTest extends MembershipConformanceTest {

    @Override
    protected MembershipFactory factory() {
        return new StaticMembershipFactory();
    }

    @Override
    protected MembershipEnvironment environment() {
        return MembershipEnvironment.simulated(42);
    }

    @Override
    protected Set<MembershipCapability> capabilities() {
        return EnumSet.of(MembershipCapability.QUERIES);
    }

    /** Nothing binds, so each node gets a distinct fixed port to be named by. */
    /** The conformance kit's local-only behaviour: join lists the seeds (the plugin refuses by default). */
    @Override
    protected PluginConfig config(int i) {
        return PluginConfig.of(Map.of(StaticConfig.JOIN, "record"));
    }

    @Override
    protected MembershipSetup setup(int i, Map<String, String> tags) {
        return new MembershipSetup("node-" + i, Pool.LAN, "127.0.0.1", 17000 + i, "127.0.0.1", tags);
    }
}
