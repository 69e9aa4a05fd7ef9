package io.tribune.raft.internal.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the protocol packages deterministic and I/O-free: their sources must not mention threads,
 * clocks, sockets, files, global randomness or hash-ordered collections.
 */
class CoreIsolationTest {
    private static final List<String> FORBIDDEN = List.of("System.currentTimeMillis", "System.nanoTime",
            "Thread.sleep", "new Thread", "ThreadLocalRandom", "UUID.randomUUID", "java.net.", "java.nio.file",
            "java.io.File", "Executor", "CompletableFuture", "parallelStream", "HashMap<", "HashSet<", "Math.random",
            "io.tribune.api.transport.Transport", "io.tribune.api.storage.Storage;", "synchronized");

    @Test
    void corePackagesUseNoThreadsClocksIoOrHashOrder() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String pkg : List.of("core", "quorum", "tracker")) {
            Path dir = Path.of("src/main/java/io/tribune/raft/internal", pkg);
            assertTrue(Files.isDirectory(dir), "run from the module directory: " + dir.toAbsolutePath());
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String src = Files.readString(f);
                    for (String bad : FORBIDDEN) {
                        boolean found = bad.startsWith("Hash")
                                ? java.util.regex.Pattern.compile("\\b" + bad).matcher(src).find()
                                : src.contains(bad);
                        if (found) {
                            problems.add(f.getFileName() + " uses " + bad);
                        }
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
