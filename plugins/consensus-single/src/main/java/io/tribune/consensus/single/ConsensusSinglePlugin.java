package io.tribune.consensus.single;

import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.consensus.single.internal.SingleServerConsensusFactory;
import java.util.List;

/**
 * Entry point of the {@code consensus-single} plugin: a consensus for one server that logs every
 * command to the storage plugin before applying it, so a restart replays it.
 *
 * <p>It reports itself as not durable: durability is the storage plugin's, and with a durable
 * storage plugin the log, the term and the snapshots survive a crash.
 */
public final class ConsensusSinglePlugin implements Plugin {
    /** The plugin's and its factory's name. */
    public static final String NAME = "consensus-single";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "0.1.0",
            "Single-server consensus for -dev: commands logged to storage and applied in order, with snapshots",
            SpiKind.CONSENSUS).withCapabilities(); // capabilities: none (one server, no replication)

    private final List<ConsensusFactory> factories = List.of(new SingleServerConsensusFactory());

    /** Creates the plugin; cheap, starts nothing. */
    public ConsensusSinglePlugin() {
    }

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public List<ConsensusFactory> consensusFactories() {
        return factories;
    }
}
