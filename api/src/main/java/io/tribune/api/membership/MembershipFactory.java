package io.tribune.api.membership;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;

/** Creates {@link Membership} instances. Implemented by membership plugins. */
public interface MembershipFactory extends ProviderFactory {

    /**
     * Creates an instance that is not yet started.
     *
     * @throws IllegalArgumentException for bad configuration (e.g. a malformed encryption key), naming the key
     */
    Membership create(MembershipSetup setup, PluginConfig config, PluginContext context);
}
