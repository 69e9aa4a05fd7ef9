package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Crash consistency of the log: a child JVM ({@link CrashAppender}) appends in a loop and is killed
 * with SIGKILL ({@link Process#destroyForcibly()}) after a random, seeded delay; after each kill the
 * parent reopens the data directory and checks that the log is a prefix of what was appended (every
 * entry equal to {@link Entries#at(long)}, no gap) and holds every entry whose append had returned
 * (was acknowledged on the child's standard output). The next round appends on top.
 *
 * <p>Applies only to durable plugins; for a non-durable one the test is skipped with the reason.
 * The child is launched with this JVM's class path and module path, so the plugin, this kit and the
 * test kit must be on one of them. System properties: {@code tribune.tck.crash.rounds} (default
 * 12), {@code tribune.tck.crash.seed} (default 20261126; printed on failure),
 * {@code tribune.tck.crash.max-delay-ms} (default 250).
 *
 * <p>This simulates a process crash: the operating system keeps what was written. It does not
 * simulate power loss, which only real fsync placement (checked by code review and the plugin's
 * own tests) protects against.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public abstract class CrashConsistencyConformanceTest extends StorageConformanceSupport {

    /** Subclasses bind a plugin. */
    protected CrashConsistencyConformanceTest() {
    }

    /** The name the child finds the factory by; {@code factory().name()} by default. */
    protected String factoryName() {
        return factory().name();
    }

    /** Extra JVM options for the child, e.g. a smaller heap. */
    protected List<String> childJvmOptions() {
        return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    }

    /** Checks: Killed appender leaves a prefix holding every acknowledged entry. */
    @Test
    public void killedAppenderLeavesAPrefixHoldingEveryAcknowledgedEntry() throws Exception {
        assumeTrue(durable(), factory().name() + " is not durable: a crash loses everything by design, "
                + "so crash consistency does not apply");
        int rounds = Integer.getInteger("tribune.tck.crash.rounds", 12);
        long seed = Long.getLong("tribune.tck.crash.seed", 20261126L);
        int maxDelayMs = Integer.getInteger("tribune.tck.crash.max-delay-ms", 250);
        SplittableRandom rnd = new SplittableRandom(seed);
        // The parent must not hold the files while a child writes them.
        storage.close();
        storage = null;

        long acknowledged = 0;
        long totalKilledMidRun = 0;
        for (int round = 1; round <= rounds; round++) {
            int batchSize = rnd.nextInt(4) == 0 ? 1 : 1 + rnd.nextInt(64);
            long delayMs = rnd.nextInt(maxDelayMs + 1);
            String where = "seed " + seed + ", round " + round + " (batch " + batchSize + ", kill after "
                    + delayMs + " ms)";
            ChildRun run = runAndKill(batchSize, delayMs, where);
            if (run.readyLast < acknowledged) {
                fail(where + ": the child reopened the log at " + run.readyLast + ", below the acknowledged "
                        + acknowledged);
            }
            acknowledged = Math.max(acknowledged, run.maxAcked);
            if (run.acks > 0) {
                totalKilledMidRun++;
            }
            storage = open();
            try {
                LogStore log = storage.log();
                long first = log.firstIndex();
                long last = log.lastIndex();
                assertTrue(last >= acknowledged, where + ": lastIndex " + last + " lost acknowledged entries up to "
                        + acknowledged);
                assertEquals(1, first, where + ": firstIndex");
                long i = first;
                while (i <= last) {
                    List<LogEntry> chunk = log.range(i, last, 1 << 20);
                    if (chunk.isEmpty()) {
                        fail(where + ": range(" + i + ", " + last + ") is empty inside the log");
                    }
                    for (LogEntry e : chunk) {
                        assertEquals(Entries.at(i), e, where + ": entry " + i + " is not what was appended");
                        i++;
                    }
                }
                assertTrue(log.get(last + 1).isEmpty(), where + ": entry after lastIndex");
                // Entries that survived without an ack are now part of the log the next child extends.
                acknowledged = Math.max(acknowledged, last);
            } finally {
                storage.close();
                storage = null;
            }
        }
        System.out.printf("crash suite (%s): %d rounds, seed %d, %d entries in the log, %d rounds killed mid-append%n",
                factory().name(), rounds, seed, acknowledged, totalKilledMidRun);
        assertTrue(acknowledged > 0, "no append was ever acknowledged in " + rounds + " rounds (seed " + seed + ")");
        assertTrue(totalKilledMidRun > 0, "no round killed the child while it was appending (seed " + seed + ")");
        storage = open();
    }

    /** What one child printed before it died. */
    private record ChildRun(long readyLast, long maxAcked, long acks) {
    }

    private ChildRun runAndKill(int batchSize, long delayMs, String where) throws Exception {
        // The child's output goes to files, not pipes: the kernel keeps every line the child wrote
        // before SIGKILL, so the parent reads all acknowledgements after the kill, none lost.
        Path work = Files.createTempDirectory("tribune-crash-child");
        Path stdout = work.resolve("stdout");
        Path stderr = work.resolve("stderr");
        // The child's own temporary directory, deleted after the kill: a SIGKILLed JVM never runs its
        // deleteOnExit hooks, so whatever it extracts there (native libraries) would otherwise leak.
        Path childTmp = Files.createDirectories(work.resolve("tmp"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(childJvmOptions());
        cmd.add("-Djava.io.tmpdir=" + childTmp);
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isBlank()) {
            cmd.add("--module-path");
            cmd.add(modulePath);
            cmd.add("--add-modules");
            cmd.add("ALL-MODULE-PATH");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashAppender.class.getName());
        cmd.add(factoryName());
        cmd.add(dataDir.toString());
        cmd.add(Integer.toString(batchSize));
        for (Map.Entry<String, String> e : config().asMap().entrySet()) {
            cmd.add(e.getKey() + "=" + e.getValue());
        }
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.readString(stdout).contains("\n") && p.isAlive() && System.nanoTime() < deadline) {
                // Polls the child's first line; the bounded wait is on the child's progress, not a fixed sleep.
                p.waitFor(5, TimeUnit.MILLISECONDS);
            }
            if (!Files.readString(stdout).startsWith("READY ")) {
                fail(where + ": the child did not open the storage; stdout: " + Files.readString(stdout)
                        + "; stderr:\n" + Files.readString(stderr));
            }
            if (delayMs > 0) {
                // The kill moment is the variable under test: wait for it, bounded.
                p.waitFor(delayMs, TimeUnit.MILLISECONDS);
            }
            if (!p.isAlive()) {
                fail(where + ": the child exited by itself with status " + p.exitValue() + "; stderr:\n"
                        + Files.readString(stderr));
            }
            p.destroyForcibly();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail(where + ": the child did not die after SIGKILL");
            }
            long readyLast = -1;
            long maxAcked = 0;
            long acks = 0;
            String[] lines = Files.readString(stdout, StandardCharsets.UTF_8).split("\n", -1);
            // The last element is "" or a line the kill cut short; only complete lines count.
            for (int k = 0; k < lines.length - 1; k++) {
                String line = lines[k];
                if (line.startsWith("READY ")) {
                    readyLast = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("ACK ")) {
                    maxAcked = Long.parseLong(line.substring(4).trim());
                    acks++;
                } else {
                    fail(where + ": unexpected child output: " + line + "; stderr:\n" + Files.readString(stderr));
                }
            }
            return new ChildRun(readyLast, maxAcked, acks);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            deleteTree(work);
        }
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
