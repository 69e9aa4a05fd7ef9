package io.tribune.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the apply path deterministic over time: the classes apply runs through may not read
 * clocks, sleep, draw unseeded randomness, or iterate hash-ordered collections.
 */
class CoreDeterminismTest {
    private static final List<String> CORE = List.of("Applier", "KvOps", "CatalogOps", "Tx", "State",
            "PersistentMap", "Key2", "Codec", "CatalogCodec", "Records", "WireReader", "WireWriter", "SnapshotCodec",
            "Restores", "StagedRestore", "DedupTable");
    private static final List<String> FORBIDDEN = List.of("System.currentTimeMillis", "System.nanoTime",
            "Thread.sleep", "ThreadLocalRandom", "UUID.randomUUID", "new Random(", "HashMap", "HashSet",
            "parallelStream", "Instant.now", "new Thread(");

    @Test
    void applyPathUsesNoClockRandomnessThreadsOrHashOrder() throws IOException {
        Path dir = Path.of("src/main/java/io/tribune/state/internal");
        List<String> violations = new ArrayList<>();
        for (String cls : CORE) {
            String src = Files.readString(dir.resolve(cls + ".java"));
            for (String f : FORBIDDEN) {
                if (src.contains(f)) {
                    violations.add(cls + " uses " + f);
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
