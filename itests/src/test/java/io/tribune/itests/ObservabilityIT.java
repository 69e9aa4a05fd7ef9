package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logs and monitoring of a real agent process on 127.0.28.0/24: Consul's level names and line shape
 * on standard error and in the {@code -log-file}, the leader and join lines, {@code tribune monitor}
 * (the real {@code bin/tribune}) printing a line logged after it started, and {@code /v1/agent/host}.
 */
@Timeout(240)
class ObservabilityIT {
    private static final String HOST = "127.0.28.1";
    /** Consul's plain line: time, padded level tag, module, message. */
    private static final String LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z \\[(TRACE|DEBUG|INFO|WARN|ERR)\\] +\\S.*";

    @TempDir
    Path dir;

    @Test
    void monitorStreamsLinesLoggedAfterItStartedAndLogsHaveConsulShape() throws Exception {
        int port = AgentProcess.freePort();
        Path logs = dir.resolve("logs");
        try (AgentProcess agent = AgentProcess.startOn(HOST, port, List.of("agent", "-dev", "-node", "obs-1",
                "-bind", HOST, "-client", HOST, "-http-port", Integer.toString(port), "-grpc-port", "-1",
                "-dns-port", "-1", "-log-file", logs + "/", "-log-rotate-bytes", "1000000"))) {
            agent.awaitLeader(Duration.ofSeconds(60));
            assertTrue(agent.waitFor(Duration.ofSeconds(30), () -> agent.output().contains("joined cluster with leader")),
                    agent.output());
            String out = agent.output();
            assertTrue(out.contains("cluster leadership acquired (term"), out);
            assertFalse(out.contains("[FINE") || out.contains("SEVERE") || out.contains("[WARNING]"), out);

            // The monitor (the real CLI): a join attempted after it connected shows in its output.
            try (AgentProcess monitor = AgentProcess.start(-1, List.of("monitor", "-http-addr", HOST + ":" + port,
                    "-log-level", "info"))) {
                String target = "127.0.28.99:8301";
                boolean seen = monitor.waitFor(Duration.ofSeconds(60), () -> {
                    try {
                        agent.send("PUT", "/v1/agent/join/" + target, null);
                    } catch (Exception e) {
                        return false;
                    }
                    return monitor.output().contains("(LAN) joining: " + target);
                });
                assertTrue(seen, "monitor output:\n" + monitor.output() + "\nagent output:\n" + agent.output());
                assertTrue(monitor.process.isAlive(), "the monitor streams until interrupted");
                String joining = monitor.output().lines().filter(l -> l.contains("(LAN) joining: " + target))
                        .findFirst().orElseThrow();
                assertTrue(joining.matches(LINE), joining);
                assertTrue(joining.contains(" [INFO]  agent.local: "), joining);
            }

            HttpResponse<String> bad = agent.get("/v1/agent/monitor?loglevel=loud");
            assertEquals(400, bad.statusCode(), bad.body());

            HttpResponse<String> host = agent.get("/v1/agent/host");
            assertEquals(200, host.statusCode(), host.body());
            JsonObject h = JsonParser.parseString(host.body()).getAsJsonObject();
            for (String k : List.of("Memory", "CPU", "Host", "Disk", "CollectionTime", "Errors")) {
                assertTrue(h.has(k), k + " in " + host.body());
            }
            assertTrue(h.getAsJsonObject("Memory").get("total").getAsLong() > 0, host.body());
            assertTrue(h.getAsJsonArray("CPU").size() > 0, host.body());

            // The log file: one file named tribune-<nanos>.log with the same lines.
            List<Path> files;
            try (Stream<Path> s = Files.list(logs)) {
                files = s.toList();
            }
            assertEquals(1, files.size(), files.toString());
            assertTrue(files.get(0).getFileName().toString().matches("tribune-\\d+\\.log"), files.toString());
            List<String> lines = Files.readAllLines(files.get(0));
            assertTrue(lines.stream().anyMatch(l -> l.contains("cluster leadership acquired")), lines.toString());
            assertTrue(lines.stream().filter(l -> !l.startsWith("\t") && !l.startsWith(" ") && !l.startsWith("Caused")
                    && !l.startsWith("java.") && l.matches("\\d{4}-.*")).allMatch(l -> l.matches(LINE)),
                    lines.toString());
        }
    }

    @Test
    void jsonLinesWithLogJson() throws Exception {
        int port = AgentProcess.freePort();
        try (AgentProcess agent = AgentProcess.startOn(HOST, port, List.of("agent", "-dev", "-node", "obs-2",
                "-bind", "127.0.28.2", "-client", HOST, "-http-port", Integer.toString(port), "-grpc-port", "-1",
                "-dns-port", "-1", "-log-json"))) {
            agent.awaitLeader(Duration.ofSeconds(60));
            assertTrue(agent.waitFor(Duration.ofSeconds(30), () -> agent.output().contains("cluster leadership acquired")),
                    agent.output());
            String leaderLine = agent.output().lines().filter(l -> l.contains("cluster leadership acquired"))
                    .findFirst().orElseThrow();
            JsonObject o = JsonParser.parseString(leaderLine).getAsJsonObject();
            assertEquals("info", o.get("@level").getAsString());
            assertEquals("agent.observe", o.get("@module").getAsString());
            assertTrue(o.get("@message").getAsString().startsWith("cluster leadership acquired (term "), leaderLine);
            assertTrue(o.has("@timestamp"));
        }
    }
}
