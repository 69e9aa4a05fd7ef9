package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.tribune.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config feature with the real {@code bin/tribune} (loopback 127.0.29.0/24): an agent started
 * from an HCL config directory with a pid file and an HTTPS listener; {@code kill -HUP} and
 * {@code tribune reload} pick up changed files while the node stays alive in the cluster; a bad
 * file is refused and changes nothing; the CLI calls the HTTPS listener with its TLS flags; and
 * {@code tribune validate} checks the same directory.
 */
class ConfigReloadIT {
    private static final String HOST = "127.0.29.1";

    @Test
    void sighupAndReloadApplyTheConfigDirectoryAndTheCliSpeaksHttps(@TempDir Path tmp) throws Exception {
        Path conf = Files.createDirectory(tmp.resolve("conf"));
        TestPki pki = new TestPki(tmp, "reload-it");
        TestPki.Leaf server = pki.issue("localhost", "localhost");
        TestPki.Leaf client = pki.issue("cli", "cli");
        int http = AgentProcess.freePort();
        int https = AgentProcess.freePort();
        Path pid = tmp.resolve("agent.pid");
        Files.writeString(conf.resolve("10-agent.hcl"), agentHcl("info", pid, https, server, pki));
        Files.writeString(conf.resolve("20-web.hcl"), "service {\n  name = \"web\"\n  port = 80\n}\n");
        Files.writeString(conf.resolve("README.txt"), "not config\n");

        AgentProcess.Result valid = AgentProcess.run(List.of("validate", conf.toString()));
        assertEquals(0, valid.exitCode(), valid.output());
        assertTrue(valid.output().contains("Configuration is valid!"), valid.output());
        assertTrue(valid.output().contains("README.txt"), "the skipped file is named: " + valid.output());

        try (AgentProcess agent = AgentProcess.startOn(HOST, http, List.of("agent", "-config-dir", conf.toString(),
                "-bind", HOST, "-client", HOST, "-http-port", Integer.toString(http), "-dns-port", "-1",
                "-grpc-port", "-1"))) {
            agent.awaitLeader(Duration.ofSeconds(90));
            assertTrue(agent.waitFor(Duration.ofSeconds(30), () -> inCatalog(agent, "web")), agent.output());
            assertEquals(Long.toString(agent.pid()), Files.readString(pid).strip(), "the pid file holds the agent's pid");

            // SIGHUP: a new file and a changed log level.
            Files.writeString(conf.resolve("30-db.hcl"), "service {\n  name = \"db\"\n  port = 5432\n}\n");
            Files.writeString(conf.resolve("10-agent.hcl"), agentHcl("debug", pid, https, server, pki));
            agent.signal("HUP");
            assertTrue(agent.waitFor(Duration.ofSeconds(30), () -> inCatalog(agent, "db")), agent.output());
            assertTrue(agent.process.isAlive(), "SIGHUP must not stop the agent");
            assertTrue(aliveMember(agent), agent.output());
            assertTrue(agent.waitFor(Duration.ofSeconds(10), () -> agent.output().contains("log level is now debug")),
                    "the new log level is applied: " + agent.output());

            // tribune reload: another file, and one service removed.
            Files.writeString(conf.resolve("40-cache.json"), "{\"service\": {\"name\": \"cache\", \"port\": 6379}}");
            Files.delete(conf.resolve("20-web.hcl"));
            AgentProcess.Result r = AgentProcess.run(List.of("reload", "-http-addr", HOST + ":" + http));
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("Configuration reload triggered"), r.output());
            assertTrue(agent.waitFor(Duration.ofSeconds(30), () -> inCatalog(agent, "cache") && !inCatalog(agent, "web")),
                    agent.output());
            assertTrue(aliveMember(agent));

            // A bad file: the reload fails with the file and key, and nothing changes.
            Path bad = conf.resolve("50-bad.hcl");
            Files.writeString(bad, "service {\n  name = \"never\"\n}\nbogus_key = 1\n");
            r = AgentProcess.run(List.of("reload", "-http-addr", HOST + ":" + http));
            assertEquals(1, r.exitCode(), r.output());
            assertTrue(r.output().contains("bogus_key") && r.output().contains("50-bad.hcl"), r.output());
            assertFalse(inCatalog(agent, "never"));
            AgentProcess.Result invalid = AgentProcess.run(List.of("validate", conf.toString()));
            assertEquals(1, invalid.exitCode(), invalid.output());
            assertTrue(invalid.output().contains("Config validation failed") && invalid.output().contains("line 4"),
                    invalid.output());
            Files.delete(bad);

            // HTTPS with the CLI's TLS flags (the certificate names localhost, not 127.0.29.1).
            List<String> tls = List.of("-http-addr", "https://" + HOST + ":" + https, "-ca-file", pki.caFile.toString(),
                    "-tls-server-name", "localhost");
            List<String> withCert = new ArrayList<>(List.of("catalog", "services"));
            withCert.addAll(tls);
            withCert.addAll(List.of("-client-cert", client.certFile().toString(), "-client-key",
                    client.keyFile().toString()));
            r = AgentProcess.run(withCert);
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("db") && r.output().contains("cache"), r.output());
            List<String> noCert = new ArrayList<>(List.of("catalog", "services"));
            noCert.addAll(tls);
            r = AgentProcess.run(noCert);
            assertNotEquals(0, r.exitCode(), "verify_incoming_https refuses a CLI without a client certificate: "
                    + r.output());

            assertEquals(0, agent.terminate(Duration.ofSeconds(60)), agent.output());
            assertFalse(Files.exists(pid), "the pid file is removed at exit");
        }
    }

    private static String agentHcl(String level, Path pid, int https, TestPki.Leaf cert, TestPki pki) {
        return "dev = true\nnode_name = \"reload-it\"\nlog_level = \"" + level + "\"\npid_file = \"" + pid + "\"\n"
                + "ports {\n  https = " + https + "\n}\ncert_file = \"" + cert.certFile() + "\"\nkey_file = \""
                + cert.keyFile() + "\"\nca_file = \"" + pki.caFile + "\"\nverify_incoming_https = true\n";
    }

    private static boolean inCatalog(AgentProcess agent, String service) {
        try {
            var r = agent.get("/v1/catalog/service/" + service);
            return r.statusCode() == 200 && JsonParser.parseString(r.body()).getAsJsonArray().size() == 1;
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean aliveMember(AgentProcess agent) {
        try {
            for (JsonElement m : JsonParser.parseString(agent.get("/v1/agent/members").body()).getAsJsonArray()) {
                if (m.getAsJsonObject().get("Name").getAsString().equals("reload-it")) {
                    return m.getAsJsonObject().get("Status").getAsInt() == 1;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
