package io.tribune.consensus.single;

import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.storage.Storage;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.tck.consensus.ConsensusConformanceTest;

/** Binds the consensus conformance kit to {@code consensus-single} on {@code storage-memory}. */
class ConsensusSingleConsensusConformanceTest extends ConsensusConformanceTest {
    @Override
    protected ConsensusFactory factory() {
        return new ConsensusSinglePlugin().consensusFactories().get(0);
    }

    @Override
    protected Storage newStorage(String serverId) {
        return InMemoryStorageFactory.newStorage();
    }
}
