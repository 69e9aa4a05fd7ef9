package io.tribune.api.transport;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;

/** Creates {@link Transport} instances. Implemented by transport plugins. */
public interface TransportFactory extends ProviderFactory {

    /**
     * Creates a transport that is not yet listening.
     *
     * @throws IllegalArgumentException for bad configuration or unusable TLS files, naming them
     */
    Transport create(TransportSetup setup, PluginConfig config, PluginContext context);
}
