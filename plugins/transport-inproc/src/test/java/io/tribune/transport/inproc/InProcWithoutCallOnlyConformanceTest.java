package io.tribune.transport.inproc;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportFactory;
import io.tribune.api.transport.TransportSetup;
import io.tribune.tck.transport.TransportConformanceTest;
import java.util.Map;

/**
 * Tests the kit's path for factories without call-only support: the in-process factory behind a
 * wrapper that declares none and refuses call-only setups as the SPI asks. Every case, the call-only
 * ones included, must pass (by the documented refusal), none may be skipped.
 */
class InProcWithoutCallOnlyConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportFactory factory() {
        TransportFactory inner = new InProcTransportFactory();
        return new TransportFactory() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public Transport create(TransportSetup setup, PluginConfig config, PluginContext context) {
                if (setup.callOnly()) {
                    throw new IllegalArgumentException("call-only transports are not supported");
                }
                return inner.create(setup, config, context);
            }
        };
    }

    @Override
    protected PluginConfig config() {
        return PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "tck-no-call-only"));
    }

    @Override
    protected int maxChunksAcceptedWhileReceiverStalls() {
        return 1;
    }
}
