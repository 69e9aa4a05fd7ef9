package io.tribune.api.consensus;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;

/** Creates {@link Consensus} instances. Implemented by consensus plugins. */
public interface ConsensusFactory extends ProviderFactory {

    /** Whether instances replicate across servers (false for a single-node plugin). */
    boolean replicated();

    /**
     * Creates a server that is not yet started.
     *
     * @throws IllegalArgumentException for bad configuration, naming the key, or when the plugin
     *                                  needs a transport and none is given
     */
    Consensus create(ConsensusSetup setup, PluginConfig config, PluginContext context);
}
