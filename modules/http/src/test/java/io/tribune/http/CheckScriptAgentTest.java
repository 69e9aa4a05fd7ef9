package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Script checks through the agent API: refused unless enabled; thresholds applied to their results. */
@Timeout(120)
class CheckScriptAgentTest {

    @Test
    void scriptChecksAreRefusedUnlessEnabledAndChangeNothing() throws Exception {
        try (var a = Booted.start("scriptoff", 18433, "")) {
            HttpResponse<String> r = a.send("PUT", "/v1/agent/check/register", "{\"Name\": \"s\", \"Args\": "
                    + "[\"touch\", \"/tmp/never\"], \"Interval\": \"1s\"}");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("enable_script_checks"), r.body());
            r = a.send("PUT", "/v1/agent/service/register", "{\"Name\": \"svc\", \"Check\": {\"Args\": [\"true\"], "
                    + "\"Interval\": \"1s\"}}");
            assertEquals(400, r.statusCode(), r.body());
            assertEquals("{}", a.get("/v1/agent/services").toString());
            assertEquals("{}", a.get("/v1/agent/checks").toString());
            r = a.send("PUT", "/v1/agent/check/register", "{\"Name\": \"g\", \"GRPC\": \"127.0.0.1:1\", "
                    + "\"Interval\": \"1s\"}");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("GRPC"), r.body());
        }
    }

    @Test
    void thresholdsHoldBackStatusChangesUntilTheRunIsLongEnough(@TempDir Path dir) throws Exception {
        try (var a = Booted.start("scripton", 18434, "\"enable_script_checks\": true")) {
            Path fails = dir.resolve("fails");
            Path passes = dir.resolve("passes");
            a.put("/v1/agent/check/register", "{\"ID\": \"flaky\", \"Name\": \"f\", \"Status\": \"passing\", "
                    + "\"FailuresBeforeCritical\": 3, \"Interval\": \"1s\", \"Args\": [\"sh\", \"-c\", \"echo run >> "
                    + fails + "; echo broken; exit 2\"]}");
            a.put("/v1/agent/check/register", "{\"ID\": \"slow\", \"Name\": \"s\", \"SuccessBeforePassing\": 2, "
                    + "\"Interval\": \"1s\", \"Args\": [\"sh\", \"-c\", \"echo run >> " + passes + "; echo ok\"]}");
            a.put("/v1/agent/check/register", "{\"ID\": \"warn\", \"Name\": \"w\", \"Interval\": \"1s\", "
                    + "\"Args\": [\"sh\", \"-c\", \"echo almost full; exit 1\"]}");
            AtomicInteger runsAtCritical = new AtomicInteger(-1);
            AtomicInteger runsAtPassing = new AtomicInteger(-1);
            assertTrue(a.waitFor(Duration.ofSeconds(30), () -> {
                if (runsAtCritical.get() < 0 && "critical".equals(a.catalogCheckStatus("flaky"))) {
                    runsAtCritical.set(lines(fails));
                }
                if (runsAtPassing.get() < 0 && "passing".equals(a.catalogCheckStatus("slow"))) {
                    runsAtPassing.set(lines(passes));
                }
                return runsAtCritical.get() >= 0 && runsAtPassing.get() >= 0;
            }), "the checks never changed status");
            assertTrue(runsAtCritical.get() >= 3, "critical after " + runsAtCritical.get() + " failing runs");
            assertTrue(runsAtPassing.get() >= 2, "passing after " + runsAtPassing.get() + " passing runs");
            assertEquals("broken\n", a.catalogCheck("flaky").get("Output").getAsString());
            assertTrue(a.waitFor(Duration.ofSeconds(20), () -> "warning".equals(a.catalogCheckStatus("warn"))));
            assertEquals("script", a.get("/v1/agent/checks").getAsJsonObject().getAsJsonObject("warn")
                    .get("Type").getAsString());
        }
    }

    private static int lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
