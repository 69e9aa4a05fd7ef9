package io.tribune.transport.inproc;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.transport.inproc.internal.Hub;
import io.tribune.transport.inproc.internal.InProcTransport;
import java.util.Objects;

/**
 * Creates in-process transports.
 *
 * <p>Configuration (keys prefixed by the plugin name):
 * <ul>
 *   <li>{@value #HUB_KEY} (default {@value #DEFAULT_HUB}): the name of the hub the transport
 *       registers in. Transports only reach endpoints of the same hub; separate hub names keep
 *       simulations that run side by side in one JVM apart. 1..64 characters of letters, digits,
 *       {@code -}, {@code _} and {@code .}.</li>
 * </ul>
 *
 * <p>{@link TransportSetup#tls()} is ignored: nothing leaves the process, so handlers never see a
 * {@link io.tribune.api.transport.CallContext#peerIdentity()}. The
 * {@link io.tribune.api.transport.CallContext#remote()} of a call is the caller's own endpoint when
 * it is a started serving transport, and empty otherwise. Port 0 in {@link TransportSetup#bind()} is
 * replaced by a free port of the hub (from 49152 up) at {@link Transport#start()}.
 *
 * <p>Call-only setups are supported ({@link #supportsCallOnly()}): such a transport is never
 * registered in the hub, so calls to its endpoint fail UNAVAILABLE; registering a handler on it
 * throws {@link IllegalStateException}; its own calls and streams go through the schedulers as
 * usual.
 *
 * <p>Thread-safe; {@link #create} does no I/O.
 */
public final class InProcTransportFactory implements TransportFactory {
    /** Configuration key of the hub name. */
    public static final String HUB_KEY = "transport-inproc.hub";
    /** The hub used when {@value #HUB_KEY} is absent. */
    public static final String DEFAULT_HUB = "default";

    /** Creates the factory. */
    public InProcTransportFactory() {
    }

    /** {@value InProcTransportPlugin#NAME}. */
    @Override
    public String name() {
        return InProcTransportPlugin.NAME;
    }

    /** True: a call-only setup creates a transport that never enters the hub. */
    @Override
    public boolean supportsCallOnly() {
        return true;
    }

    /**
     * A transport registered in the configured hub once started (never, for a call-only setup).
     *
     * @throws IllegalArgumentException when the hub name is malformed
     */
    @Override
    public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(context, "context");
        String hubName = config.getString(HUB_KEY, DEFAULT_HUB);
        if (!hubName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("config key '" + HUB_KEY + "': '" + hubName
                    + "' is not 1..64 letters, digits, '-', '_' or '.'");
        }
        return new InProcTransport(Hub.named(hubName), setup, context);
    }
}
