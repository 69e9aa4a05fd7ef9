package io.tribune.raft;

import io.tribune.api.Capability;
import io.tribune.api.Plugin;
import io.tribune.api.PluginDescriptor;
import io.tribune.api.SpiKind;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.raft.internal.driver.RaftConsensusFactory;
import java.util.List;

/**
 * Entry point of the {@code raft} plugin: Raft consensus with pre-vote, check-quorum, pipelined
 * replication, snapshots, single-server membership changes, leader transfer, and read-index and
 * lease reads. It needs a transport and a storage plugin; it persists through the storage plugin
 * and so is as durable as that plugin.
 */
public final class RaftPlugin implements Plugin {
    /** The plugin's and its factory's name. */
    public static final String NAME = "raft";

    private static final PluginDescriptor DESCRIPTOR = PluginDescriptor.of(NAME, "0.1.0",
            "Raft consensus: pre-vote, check-quorum, pipelined replication, snapshots, membership changes, "
                    + "leader transfer, read-index and lease reads", SpiKind.CONSENSUS)
            .withCapabilities(Capability.REPLICATED, Capability.MEMBERSHIP_CHANGES);

    private final List<ConsensusFactory> factories = List.of(new RaftConsensusFactory());

    /** Creates the plugin; cheap, starts nothing. */
    public RaftPlugin() {
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
