package io.tribune.storage.memory;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.PluginContext;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageFactory;
import io.tribune.tck.storage.CrashConsistencyConformanceTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Tests the kit itself: the crash suite must fail for a store that claims durability it does not
 * have. The in-memory store, dressed up as durable, loses every acknowledged entry when its child
 * JVM is killed.
 */
class CrashSuiteCatchesALyingStoreTest {
    @TempDir
    Path dir;

    /** The in-memory factory claiming to be durable. */
    static final class Liar implements StorageFactory {
        private final InMemoryStorageFactory real = new InMemoryStorageFactory();

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public boolean durable() {
            return true;
        }

        @Override
        public Storage create(PluginConfig config, PluginContext context) {
            return real.create(config, context);
        }
    }

    /** The suite bound to the liar, driven by hand instead of by JUnit. */
    static final class Bound extends CrashConsistencyConformanceTest {
        @Override
        protected StorageFactory factory() {
            return new Liar();
        }

        void runWith(Path dataDir) throws Exception {
            this.dataDir = dataDir;
            this.storage = open();
            try {
                killedAppenderLeavesAPrefixHoldingEveryAcknowledgedEntry();
            } finally {
                if (storage != null) {
                    storage.close();
                }
            }
        }
    }

    @Test
    void crashSuiteFailsForAStoreThatLosesAcknowledgedEntries() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> new Bound().runWith(dir));
        assertTrue(e.getMessage().contains("lost acknowledged entries") || e.getMessage().contains("below the acknowledged"),
                e.getMessage());
    }
}
