package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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
        Path example = OutsideBuild.example("embedded-junit");
        OutsideBuild.run(example, false, 400, "clean", "test");
        Path report = example.resolve("target/surefire-reports/com.example.embedded.ConsulClientTest.txt");
        String summary = Files.readString(report);
        assertTrue(summary.contains("Tests run: 3, Failures: 0, Errors: 0, Skipped: 0"), summary);
    }
}
