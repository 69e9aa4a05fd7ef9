package io.tribune.gossip.swim.internal;

import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.MembershipFactory;
import java.util.List;

/** Entry point of the {@code gossip-swim} plugin. */
public final class SwimPlugin implements Plugin {
    /** The plugin's name, which is also its factory's name. */
    public static final String NAME = "gossip-swim";
    /** The plugin's own version. */
    public static final String VERSION = "0.1.0";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, VERSION,
            "SWIM gossip membership with Lifeguard, Serf-style tags and user events, LAN/WAN pools, AES-GCM",
            SpiKind.MEMBERSHIP);

    /** Creates the plugin; cheap, starts nothing. */
    public SwimPlugin() {
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<MembershipFactory> membershipFactories() {
        return List.of(new SwimMembershipFactory());
    }
}
