package io.tribune.consensus.single.internal;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.consensus.ConsensusSetup;

/** Creates {@link SingleServerConsensus} instances; ignores any transport it is given. */
public final class SingleServerConsensusFactory implements ConsensusFactory {

    /** Creates the factory. */
    public SingleServerConsensusFactory() {
    }

    @Override
    public String name() {
        return "consensus-single";
    }

    @Override
    public boolean replicated() {
        return false;
    }

    @Override
    public Consensus create(ConsensusSetup setup, PluginConfig config, PluginContext context) {
        return new SingleServerConsensus(setup, SingleSettings.parse(config), context);
    }
}
