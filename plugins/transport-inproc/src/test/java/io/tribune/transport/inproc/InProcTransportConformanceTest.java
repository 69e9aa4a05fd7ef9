package io.tribune.transport.inproc;

import io.tribune.api.PluginConfig;
import io.tribune.api.transport.TransportFactory;
import io.tribune.tck.transport.TransportConformanceTest;
import java.util.Map;

/** Binds the transport conformance kit to the in-process transport, in a hub of its own. */
class InProcTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected TransportFactory factory() {
        return new InProcTransportFactory();
    }

    @Override
    protected PluginConfig config() {
        return PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, "tck"));
    }

    /** The in-process transport buffers nothing: the first unacknowledged chunk holds the sender. */
    @Override
    protected int maxChunksAcceptedWhileReceiverStalls() {
        return 1;
    }
}
