package io.tribune.storage.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Unit tests of the in-memory stores and the plugin's registration. */
class InMemoryStorageTest {

    private static List<LogEntry> entries(long from, long to) {
        List<LogEntry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(new LogEntry(i, 1, EntryKind.COMMAND, ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void pluginIsFoundByServiceLoaderAndIsNotDurable() {
        // Tests run inside the named module, which provides but does not use the service.
        InMemoryStorageTest.class.getModule().addUses(Plugin.class);
        Plugin found = ServiceLoader.load(Plugin.class, InMemoryStorageTest.class.getClassLoader()).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.descriptor().name().equals("storage-memory")).findFirst().orElseThrow();
        assertFalse(found.descriptor().durable());
        assertEquals(java.util.Set.of(SpiKind.STORAGE), found.descriptor().provides());
        assertEquals("storage-memory", found.storageFactories().get(0).name());
        assertFalse(found.storageFactories().get(0).durable());
    }

    @Test
    void appendThenReadBackAndTruncateBothEnds() {
        try (Storage s = InMemoryStorageFactory.newStorage()) {
            LogStore log = s.log();
            log.append(entries(5, 10));
            assertEquals(5, log.firstIndex());
            assertEquals(10, log.lastIndex());
            assertEquals("e7", new String(log.get(7).orElseThrow().data(), StandardCharsets.UTF_8));
            log.truncateSuffix(9);
            assertEquals(8, log.lastIndex());
            log.truncatePrefix(6);
            assertEquals(7, log.firstIndex());
            assertEquals(List.of(7L, 8L), log.range(0, 100, Long.MAX_VALUE).stream().map(LogEntry::index).toList());
            assertTrue(log.get(6).isEmpty());
        }
    }

    @Test
    void gapIsRefusedAndChangesNothing() {
        try (Storage s = InMemoryStorageFactory.newStorage()) {
            s.log().append(entries(1, 3));
            assertThrows(IllegalArgumentException.class, () -> s.log().append(entries(5, 6)));
            assertEquals(3, s.log().lastIndex());
        }
    }

    @Test
    void oversizedEntryIsRefusedPerConfig() {
        Storage s = new InMemoryStorageFactory().create(PluginConfig.of(Map.of("storage-memory.log.max-entry-bytes", "2")),
                TestContext.simulated("n1", new SimScheduler(), 1));
        assertThrows(IllegalArgumentException.class,
                () -> s.log().append(List.of(new LogEntry(1, 1, EntryKind.COMMAND, new byte[3]))));
        assertEquals(0, s.log().lastIndex());
        s.close();
    }

    @Test
    void unknownOrBadConfigKeyIsRefusedByName() {
        InMemoryStorageFactory f = new InMemoryStorageFactory();
        TestContext ctx = TestContext.simulated("n1", new SimScheduler(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.create(PluginConfig.of(Map.of("storage-memory.snapshot.retain", "3")), ctx));
        assertTrue(e.getMessage().contains("storage-memory.snapshot.retain"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> f.create(PluginConfig.of(Map.of("storage-memory.snapshots.retain", "0")), ctx));
        assertTrue(e.getMessage().contains("storage-memory.snapshots.retain"), e.getMessage());
    }

    @Test
    void stableStoreBatchAndDelete() {
        try (Storage s = InMemoryStorageFactory.newStorage()) {
            s.stable().putLong("term", 4);
            java.util.HashMap<String, byte[]> batch = new java.util.HashMap<>();
            batch.put("vote", new byte[] {1});
            batch.put("term", null);
            s.stable().put(batch);
            assertEquals(-1, s.stable().getLong("term", -1));
            assertArrayEquals(new byte[] {1}, s.stable().get("vote").orElseThrow());
        }
    }

    @Test
    void snapshotsRetainNewestTwoByDefault() throws Exception {
        try (Storage s = InMemoryStorageFactory.newStorage()) {
            SnapshotStore snaps = s.snapshots();
            for (int i = 1; i <= 3; i++) {
                try (SnapshotStore.Writer w = snaps.create(i * 10L, 1, new byte[] {9})) {
                    w.stream().write(("data" + i).getBytes(StandardCharsets.UTF_8));
                    w.commit();
                }
            }
            List<SnapshotMeta> all = snaps.list();
            assertEquals(List.of(30L, 20L), all.stream().map(SnapshotMeta::index).toList());
            try (SnapshotStore.Reader r = snaps.open(all.get(0).id()).orElseThrow()) {
                try (InputStream in = r.stream()) {
                    assertEquals("data3", new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    @Test
    void everyMethodFailsAfterClose() {
        Storage s = InMemoryStorageFactory.newStorage();
        s.close();
        s.close();
        assertThrows(StorageException.class, () -> s.log().lastIndex());
        assertThrows(StorageException.class, () -> s.stable().get("k"));
        assertThrows(StorageException.class, () -> s.snapshots().list());
    }
}
