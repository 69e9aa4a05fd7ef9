package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Architecture check: the core package's sources use no clock, thread, socket, file or unseeded randomness. */
class CoreIsDeterministicTest {
    private static final List<String> FORBIDDEN = List.of("System.currentTimeMillis", "System.nanoTime", "Thread.sleep",
            "new Thread", "ThreadLocalRandom", "UUID.randomUUID", "java.net.", "java.io.File", "java.nio.file",
            "java.nio.channels", "parallelStream", "CompletableFuture", "Executor", "new Random(", "Math.random",
            "SecureRandom", "Instant.now", "LocalDateTime.now");

    @Test
    void coreSourcesAvoidNondeterministicApis() throws IOException {
        Path dir = Path.of("src/main/java/io/tribune/gossip/swim/internal/core");
        assertTrue(Files.isDirectory(dir), "run from the module directory: " + dir.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".java")).sorted().toList()) {
                files++;
                String src = Files.readString(p);
                for (String f : FORBIDDEN) {
                    if (src.contains(f)) {
                        violations.add(p.getFileName() + " uses " + f);
                    }
                }
            }
        }
        assertTrue(files >= 8, "found the core sources");
        assertTrue(violations.isEmpty(), violations.toString());
    }
}
