package io.tribune.gossip.swim.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.gossip.swim.internal.driver.SwimMembership;
import java.util.Objects;
import java.util.Set;

/** Creates {@link SwimMembership} instances from {@code gossip-swim.*} keys (see {@link SwimConfig}). */
public final class SwimMembershipFactory implements MembershipFactory {

    /** Creates the factory. */
    public SwimMembershipFactory() {
    }

    @Override
    public String name() {
        return SwimPlugin.NAME;
    }

    @Override
    public Set<String> secretConfigKeys() {
        return SwimConfig.SECRET_KEYS;
    }

    @Override
    public Membership create(MembershipSetup setup, PluginConfig config, PluginContext context) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(context, "context");
        SwimConfig c = SwimConfig.parse(Objects.requireNonNull(config, "config"), setup.pool());
        SwimMembership m = new SwimMembership(setup, c.timing(), c.keyring(), c.label(), c.udpPacketBytes(),
                c.streamTimeout(), c.joinRetries(), c.joinRetryInterval(), context);
        if (c.handoverIncarnation() >= 0 || c.handoverEventClock() >= 0) {
            m.resumeFrom(Math.max(0, c.handoverIncarnation()), Math.max(0, c.handoverEventClock()));
        }
        return m;
    }
}
