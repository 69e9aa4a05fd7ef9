package io.tribune.api.transport;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.ProviderFactory;

/** Creates {@link Transport} instances. Implemented by transport plugins. */
public interface TransportFactory extends ProviderFactory {

    /**
     * Creates a transport that is not yet listening (and, for a {@link TransportSetup#callOnly()}
     * setup, never will).
     *
     * @throws IllegalArgumentException for bad configuration or unusable TLS files, naming them; for
     *                                  a call-only setup when {@link #supportsCallOnly()} is false
     */
    Transport create(TransportSetup setup, PluginConfig config, PluginContext context);

    /**
     * Whether {@link #create} honours {@link TransportSetup#callOnly()}: the transport it returns
     * then never listens (see {@link TransportSetup}). Constant for a factory.
     *
     * <p>False by default, which is also what the host sees for a plugin built before call-only
     * transports existed: such a plugin ignores the flag and listens. A host that must not listen
     * (a client agent) checks this first. A factory that returns false and knows of the flag
     * rejects a call-only setup with {@link IllegalArgumentException}.
     */
    default boolean supportsCallOnly() {
        return false;
    }
}
