package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds one of the projects under {@code examples/} with Maven as an outside user would (its own
 * pom, no reactor), with the test run's {@code maven.repo.local} so it finds the artifacts just
 * installed. Fails the test with Maven's output when the build fails or outlasts its limit.
 */
final class OutsideBuild {
    private OutsideBuild() {
    }

    /** The example project {@code name} of this checkout ({@code tribune.repo}, else the parent dir). */
    static Path example(String name) {
        return Path.of(System.getProperty("tribune.repo", "..")).toAbsolutePath().normalize().resolve("examples/" + name);
    }

    /**
     * Runs {@code mvn -B -q [-o] -f project/pom.xml goals...}; returns when it succeeded.
     *
     * @param offline add {@code -o} (the project needs nothing beyond the local repository)
     */
    static void run(Path project, boolean offline, int limitSeconds, String... goals) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q"));
        if (offline) {
            cmd.add("-o");
        }
        cmd.addAll(List.of("-f", project.resolve("pom.xml").toString()));
        cmd.addAll(List.of(goals));
        String localRepo = System.getProperty("maven.repo.local");
        if (localRepo != null && !localRepo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + localRepo);
        }
        String name = project.getFileName().toString();
        Path log = Files.createTempFile(name + "-build", ".log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                throw new AssertionError(name + " build did not finish in " + limitSeconds + " s:\n" + Files.readString(log));
            }
            assertEquals(0, p.exitValue(), name + " build failed:\n" + Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
