package io.tribune.membership.fixed.internal;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.MembershipFactory;
import java.util.List;

/** Entry point of the {@code membership-static} plugin. */
public final class StaticMembershipPlugin implements Plugin {
    /** The plugin's name, which is also its factory's name. */
    public static final String NAME = "membership-static";
    /** The plugin's own version. */
    public static final String VERSION = "0.1.0";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, VERSION,
            "Fixed membership for -dev and tests: local member always alive, no failure detection",
            SpiKind.MEMBERSHIP)
            // Local only: no PEERS, no failure detection. Replaceable live: its state (the local member and
            // the recorded seeds) is what the host hands over to the new instance.
            .withCapabilities(Capability.QUERIES, Capability.WAN_POOL, Capability.LIVE_UPDATE);

    /** Creates the plugin; cheap, starts nothing. */
    public StaticMembershipPlugin() {
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<MembershipFactory> membershipFactories() {
        return List.of(new StaticMembershipFactory());
    }
}
