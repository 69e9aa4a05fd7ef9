package io.tribune.raft;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.storage.Storage;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportSetup;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.ConsensusConformanceTest;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import io.tribune.transport.inproc.InProcTransportFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * Binds the consensus conformance kit to {@code raft} on {@code storage-memory} and
 * {@code transport-inproc}, with fast timing (10 ms ticks) so elections take ~0.1–0.2 s.
 */
class RaftConsensusConformanceTest extends ConsensusConformanceTest {
    private static final AtomicInteger HUBS = new AtomicInteger();
    private final String hub = "raft-tck-" + HUBS.incrementAndGet();
    private final RealScheduler transportThreads = new RealScheduler("raft-tck-transport");

    @Override
    protected ConsensusFactory factory() {
        return new RaftPlugin().consensusFactories().get(0);
    }

    @Override
    protected PluginConfig config() {
        // A short trailing window so the kit sees the log compacted after 30 entries.
        return PluginConfig.of(Map.of("raft.tick", "10ms", "raft.leave.timeout", "1s", "raft.snapshot.trailing-logs", "5"));
    }

    @Override
    protected Storage newStorage(String serverId) {
        return InMemoryStorageFactory.newStorage();
    }

    @Override
    protected Transport newTransport(String serverId) {
        return new InProcTransportFactory().create(TransportSetup.plain(new Endpoint("127.0.0.1", 0)),
                PluginConfig.of(Map.of(InProcTransportFactory.HUB_KEY, hub)),
                TestContext.builder(serverId).clock(transportThreads).scheduler(transportThreads).build());
    }

    @AfterEach
    void stopTransportThreads() {
        transportThreads.close();
    }
}
