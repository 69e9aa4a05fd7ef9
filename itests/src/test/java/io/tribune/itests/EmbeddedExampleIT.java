package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outside project {@code examples/embedded-junit} is built with its own Maven build against
 * the installed {@code tribune-embedded} artifact, as a team testing against Consul would: its
 * tests start embedded agents with {@code @TribuneAgent} and use them through consul-api (KV,
 * agent service registration, the health API) and the JDK's DNS client. Its agents bind
 * 127.0.0.1 only and stop with its JVM's tests.
 */
@Timeout(600)
class EmbeddedExampleIT {

    @Test
    void outsideProjectTestsPassAgainstTheEmbeddedAgent() throws Exception {
        Path repo = Path.of(System.getProperty("tribune.repo", "..")).toAbsolutePath().normalize();
        Path example = repo.resolve("examples/embedded-junit");
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q", "-f", example.resolve("pom.xml").toString(),
                "clean", "test"));
        String localRepo = System.getProperty("maven.repo.local");
        if (localRepo != null && !localRepo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + localRepo);
        }
        Path log = Files.createTempFile("embedded-example-build", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(400, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError("example build did not finish in 400 s:\n" + Files.readString(log));
            }
            assertEquals(0, p.exitValue(), "example build failed:\n" + Files.readString(log));
            Path report = example.resolve("target/surefire-reports/com.example.embedded.ConsulClientTest.txt");
            String summary = Files.readString(report);
            assertTrue(summary.contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0"), summary);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
