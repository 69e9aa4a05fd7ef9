package io.tribune.membership.fixed.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.membership.MembershipSetup;
import java.util.Objects;

/** Creates {@link StaticMembership} instances from {@code membership-static.*} keys. */
public final class StaticMembershipFactory implements MembershipFactory {

    /** Creates the factory. */
    public StaticMembershipFactory() {
    }

    @Override
    public String name() {
        return StaticMembershipPlugin.NAME;
    }

    @Override
    public Membership create(MembershipSetup setup, PluginConfig config, PluginContext context) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(context, "context");
        return new StaticMembership(setup, StaticConfig.parse(config, setup.pool()), context);
    }
}
