package com.example.counting;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.counting.internal.CountingStorage;
import io.tribune.api.Metrics;
import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.testkit.TestContext;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** What the wrapper adds: counts per store and method, as metrics; and the errors of a bad choice. */
class CountingStorageTest {
    /** Counters by name, as a host's registry would keep them. */
    static final class RecordingMetrics implements Metrics {
        final Map<String, Long> counters = new TreeMap<>();

        @Override
        public synchronized Counter counter(String name) {
            return delta -> {
                synchronized (RecordingMetrics.this) {
                    counters.merge(name, delta, Long::sum);
                }
            };
        }

        @Override
        public void gauge(String name, LongSupplier supplier) {
        }

        @Override
        public Histogram histogram(String name) {
            return value -> { };
        }
    }

    private static final StorageFactory FACTORY = new CountingPlugin().storageFactories().get(0);

    private static PluginContext host(Metrics m) {
        return new HostContext(TestContext.builder("n1").build(), m);
    }

    @Test
    void callsReachTheWrappedStoreAndAreCountedPerStoreAndMethod() {
        RecordingMetrics m = new RecordingMetrics();
        try (Storage s = FACTORY.create(PluginConfig.of(Map.of("storage-counting.wrap", "storage-memory")), host(m))) {
            s.stable().put(Map.of("term", new byte[] {7}));
            s.stable().put(Map.of("vote", new byte[] {1}));
            assertArrayEquals(new byte[] {7}, s.stable().get("term").orElseThrow());
            Map<String, Long> counts = ((CountingStorage) s).counts();
            assertEquals(2L, counts.get("stable.put"), counts.toString());
            assertEquals(1L, counts.get("stable.get"), counts.toString());
            assertEquals(2L, m.counters.get("calls.stable.put"), m.counters.toString());
            assertEquals(1L, m.counters.get("calls.stable.get"), m.counters.toString());
        }
    }

    @Test
    void unknownWrappedPluginIsAConfigErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.create(
                PluginConfig.of(Map.of("storage-counting.wrap", "storage-nope")), host(Metrics.noop())));
        assertTrue(e.getMessage().contains("storage-counting.wrap") && e.getMessage().contains("storage-nope"),
                e.getMessage());
    }

    @Test
    void wrappingItselfIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.create(
                PluginConfig.of(Map.of("storage-counting.wrap", "storage-counting")), host(Metrics.noop())));
        assertTrue(e.getMessage().contains("storage-counting.wrap"), e.getMessage());
    }

    @Test
    void aHostThatCannotLookPluginsUpGetsAClearError() {
        // The SPI's default answer: a context without the lookup (TestContext) finds nothing.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.create(
                PluginConfig.empty(), TestContext.builder("n1").build()));
        assertTrue(e.getMessage().contains("storage-memory"), e.getMessage());
    }
}
