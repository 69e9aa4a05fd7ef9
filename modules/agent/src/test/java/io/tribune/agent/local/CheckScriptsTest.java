package io.tribune.agent.local;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.HealthStatus;
import io.tribune.testkit.RealScheduler;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CheckScriptsTest {
    private RealScheduler scheduler;
    private CheckScripts scripts;

    @BeforeEach
    void setUp() {
        scheduler = new RealScheduler("check-scripts-test");
        scripts = new CheckScripts(scheduler);
    }

    @AfterEach
    void tearDown() {
        scripts.close();
        scheduler.close();
    }

    private Map.Entry<HealthStatus, String> run(Duration timeout, String script) throws Exception {
        return scripts.run(List.of("sh", "-c", script), timeout).get(20, TimeUnit.SECONDS);
    }

    private static boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        return Poll.until(limit, cond);
    }

    @Test
    void exitCodeDecidesStatusAndOutputIsCaptured() throws Exception {
        assertEquals(Map.entry(HealthStatus.PASSING, "all good\n"), run(Duration.ofSeconds(10), "echo all good"));
        assertEquals(Map.entry(HealthStatus.WARNING, "disk 91%\n"),
                run(Duration.ofSeconds(10), "echo disk 91% >&2; exit 1"));
        assertEquals(Map.entry(HealthStatus.CRITICAL, "down\n"), run(Duration.ofSeconds(10), "echo down; exit 2"));
        assertEquals(HealthStatus.CRITICAL, run(Duration.ofSeconds(10), "kill -9 $$").getKey());
    }

    @Test
    void aCommandThatCannotStartIsCritical() throws Exception {
        var r = scripts.run(List.of("/nonexistent/tribune-check"), Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);
        assertEquals(HealthStatus.CRITICAL, r.getKey());
        assertTrue(r.getValue().startsWith("Failed to run check /nonexistent/tribune-check"), r.getValue());
    }

    @Test
    void outputKeepsTheLast4KiB() throws Exception {
        var r = run(Duration.ofSeconds(10), "i=0; while [ $i -lt 300 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxx; "
                + "i=$((i+1)); done; printf END");
        assertEquals(HealthStatus.PASSING, r.getKey());
        assertEquals(LocalState.MAX_OUTPUT_BYTES, r.getValue().getBytes(StandardCharsets.UTF_8).length);
        assertTrue(r.getValue().endsWith("line-299-xxxxxxxxxxxxxxxxxxxxxxxxx\nEND"));
        assertFalse(r.getValue().contains("line-0-"));
    }

    @Test
    void tailDropsAMultiByteCharacterCutInTwo() {
        byte[] euro = "\u20ac".getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[LocalState.MAX_OUTPUT_BYTES + 1];
        // One 3-byte character straddling the cut: 2 of its bytes would remain; they are dropped.
        System.arraycopy(euro, 0, in, 0, 3);
        java.util.Arrays.fill(in, 3, in.length, (byte) 'a');
        String t = CheckScripts.tail(new ByteArrayInputStream(in));
        assertEquals("a".repeat(LocalState.MAX_OUTPUT_BYTES - 2), t);
        assertEquals("short", CheckScripts.tail(new ByteArrayInputStream("short".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws Exception {
        long start = System.nanoTime();
        // The child sleeps in the background; the shell prints its pid and waits for it. The timeout
        // leaves a loaded machine time to start both (with 500 ms the shell sometimes had not yet
        // printed the pid) and is still far below the child's 30 s.
        var r = run(Duration.ofSeconds(3), "sleep 30 & echo $!; wait");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "the timeout did not end the run");
        assertEquals(HealthStatus.CRITICAL, r.getKey());
        assertTrue(r.getValue().startsWith("Timed out (3000ms) running check\n"), r.getValue());
        long child = Long.parseLong(r.getValue().split("\n")[1].trim());
        assertTrue(waitFor(Duration.ofSeconds(10), () -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true)),
                "the background child " + child + " survived the timeout");
    }

    @Test
    void concurrencyIsBoundedAndCloseKillsRunningScripts() throws Exception {
        List<CompletableFuture<Map.Entry<HealthStatus, String>>> runs = new ArrayList<>();
        for (int i = 0; i < CheckScripts.MAX_RUNNING + CheckScripts.MAX_QUEUED; i++) {
            runs.add(scripts.run(List.of("sleep", "30"), Duration.ofSeconds(30)));
        }
        var refused = scripts.run(List.of("sleep", "30"), Duration.ofSeconds(30)).get(5, TimeUnit.SECONDS);
        assertEquals(HealthStatus.CRITICAL, refused.getKey());
        assertTrue(refused.getValue().contains("too many script checks"), refused.getValue());
        assertTrue(waitFor(Duration.ofSeconds(10), () -> sleeps() == CheckScripts.MAX_RUNNING),
                "expected " + CheckScripts.MAX_RUNNING + " running scripts, saw " + sleeps());
        scripts.close();
        assertTrue(waitFor(Duration.ofSeconds(10), () -> sleeps() == 0), "close left scripts running");
        for (int i = 0; i < CheckScripts.MAX_RUNNING; i++) {
            assertEquals(HealthStatus.CRITICAL, runs.get(i).get(10, TimeUnit.SECONDS).getKey());
        }
    }

    /** This JVM's child processes running sleep. */
    private static long sleeps() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false)).count();
    }
}
