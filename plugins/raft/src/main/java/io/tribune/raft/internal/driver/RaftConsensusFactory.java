package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;

/** Creates {@link RaftConsensus} servers; requires a transport. */
public final class RaftConsensusFactory implements ConsensusFactory {

    /** Creates the factory. */
    public RaftConsensusFactory() {
    }

    @Override
    public String name() {
        return "raft";
    }

    @Override
    public boolean replicated() {
        return true;
    }

    @Override
    public Consensus create(ConsensusSetup setup, PluginConfig config, PluginContext context) {
        if (setup.transport().isEmpty()) {
            throw new IllegalArgumentException("the raft plugin needs a transport plugin");
        }
        return new RaftConsensus(setup, RaftSettings.parse(config, setup.transport().get().maxMessageBytes()), context);
    }
}
