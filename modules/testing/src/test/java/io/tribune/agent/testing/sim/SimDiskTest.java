package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.testing.TestCluster;
import io.tribune.api.PluginConfig;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.api.storage.StorageFactory;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** storage-sim: what an agent wrote survives its crash; the crashed agent can write nothing more. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimDiskTest {
    private final SimScheduler sim = new SimScheduler();
    private final SimDisk disks = new SimDisk(TestCluster.discoveredPlugins().stream()
            .flatMap(p -> p.plugin().storageFactories().stream()).filter(f -> f.name().equals("storage-memory"))
            .findFirst().orElseThrow());
    private final StorageFactory factory = disks.plugin().storageFactories().get(0);

    private Storage open(String node) {
        return factory.create(PluginConfig.empty(), TestContext.simulated(node, sim, 1));
    }

    @Test
    void aRestartedAgentFindsItsLogTermAndVoteAndTheCrashedOneIsFenced() {
        Storage first = open("s1");
        first.log().append(List.of(new LogEntry(1, 1, EntryKind.COMMAND, new byte[] {7})));
        first.stable().putLong("term", 3);
        disks.crash("s1");
        assertThrows(StorageException.class, () -> first.log().append(List.of(new LogEntry(2, 1, EntryKind.COMMAND,
                new byte[] {8}))), "a crashed agent's late write must not reach the disk");
        assertThrows(StorageException.class, () -> first.stable().putLong("term", 4));
        Storage second = open("s1");
        assertEquals(1, second.log().lastIndex());
        assertArrayEquals(new byte[] {7}, second.log().get(1).orElseThrow().data());
        assertEquals(3, second.stable().getLong("term", 0));
        assertEquals(1, disks.lastIndex("s1"));
        assertTrue(factory.durable());
    }

    @Test
    void aDiskInUseCannotBeOpenedTwiceAndClosingKeepsTheData() {
        Storage first = open("s1");
        first.stable().putLong("term", 5);
        assertThrows(StorageException.class, () -> open("s1"));
        first.close();
        assertEquals(5, open("s1").stable().getLong("term", 0));
        assertEquals(0, open("s2").log().lastIndex(), "each node has a disk of its own");
    }
}
