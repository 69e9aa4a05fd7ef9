package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault harness of real processes ({@link FaultHarness}) in its short form for CI: 3 servers and
 * 1 client agent in network namespaces, seven rounds (every kind of fault once: SIGKILL of the
 * leader, of two servers at once, of every server, SIGSTOP, and the three partitions), then the
 * check. It prints
 * {@code faults rounds=R acked=A lost=L duplicated=D indeterminate=I stale_reads=S} and asserts
 * {@code L = D = S = 0}.
 *
 * <p>The long form: {@code -Dtribune.faults.rounds=50} (or {@code bench/faults.sh}); also
 * {@code tribune.faults.seed}, {@code tribune.faults.servers} (3 or 5) and
 * {@code tribune.faults.clients}. The line is also appended to {@code target/faults.txt}.
 *
 * <p>Skipped, with the reason, when the machine cannot make network namespaces (not Linux, not
 * root, or no iproute2).
 */
@Timeout(7200)
class FaultHarnessIT {

    @TempDir
    Path data;

    @Test
    void acknowledgedWritesSurviveKillsPausesAndPartitionsAndReadsAreLinearizable() throws Exception {
        String why = NetLab.unavailableReason();
        Assumptions.assumeTrue(why == null, () -> "fault harness skipped: " + why);
        int rounds = Integer.getInteger("tribune.faults.rounds", FaultHarness.Fault.values().length);
        long seed = Long.getLong("tribune.faults.seed", 17L);
        int servers = Integer.getInteger("tribune.faults.servers", 3);
        int clients = Integer.getInteger("tribune.faults.clients", 1);
        FaultHarness.Report report;
        String tails;
        try (FaultHarness h = new FaultHarness(new FaultHarness.Config(servers, clients, rounds, seed, data))) {
            report = h.run();
            tails = report.clean() ? "" : h.logTails();
            if (report.clean()) {
                h.deleteLogs();
            }
        }
        List<String> out = new ArrayList<>();
        out.add(report.line());
        out.add("  seed=" + seed + " servers=" + servers + " clients=" + clients + " " + report.figures());
        report.details().forEach(d -> out.add("  " + d));
        out.forEach(System.out::println);
        Path file = Path.of(System.getProperty("tribune.faults.out", "target/faults.txt"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);

        String msg = String.join("\n", out) + "\n" + tails;
        assertEquals(rounds, report.rounds());
        assertEquals(0, report.lost(), msg);
        assertEquals(0, report.duplicated(), msg);
        assertEquals(0, report.staleReads(), msg);
        assertEquals(0, report.phantoms(), msg);
        assertEquals(0, report.unchecked(), msg);
        assertTrue(report.acked() > 0, msg);
        if (rounds >= FaultHarness.Fault.values().length) {
            assertEquals(FaultHarness.Fault.values().length, report.faults().size(), "every kind of fault ran: " + msg);
        }
    }
}
