package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigKeys;
import io.tribune.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The config feature's CLI: agent flags, {@code validate}, and the HTTPS client's TLS checks. */
class ConfigCommandsTest {

    private static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new String[] {Integer.toString(exit), out.toString(), err.toString()};
    }

    @Test
    void agentFlagsMapToConsulKeysAndHclFragmentsComeLast(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.conf");
        Files.writeString(f, "node_name = \"from-file\"\n");
        AgentCommand cmd = new AgentCommand();
        String key = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";
        new CommandLine(cmd).parseArgs("-dev", "-config-file", f.toString(), "-config-format", "hcl", "-encrypt", key,
                "-pid-file", dir.resolve("t.pid").toString(), "-domain", "example", "-recursor", "10.0.0.53",
                "-recursor", "10.0.0.54", "-node-meta", "rack:r1", "-node-meta", "zone:z:1", "-enable-script-checks",
                "-node", "from-flag", "-hcl", "node_name = \"from-hcl\"");
        AgentConfig c = cmd.config();
        assertEquals("from-hcl", c.nodeName());
        assertEquals(key, c.pluginConfig().get(ConfigKeys.GOSSIP_ENCRYPT));
        assertEquals(dir.resolve("t.pid"), ConfigKeys.pidFile(c).orElseThrow());
        assertEquals("example", c.pluginConfig().get("dns.domain"));
        assertEquals("10.0.0.53,10.0.0.54", c.pluginConfig().get("dns.recursors"));
        assertEquals(Map.of("rack", "r1", "zone", "z:1"), ConfigKeys.nodeMeta(c));
        assertTrue(c.enableScriptChecks());

        AgentCommand bad = new AgentCommand();
        new CommandLine(bad).parseArgs("-dev", "-node-meta", "nocolon");
        ConfigException e = assertThrows(ConfigException.class, bad::config);
        assertTrue(e.getMessage().contains("key:value"), e.getMessage());
    }

    @Test
    void validateSaysValidOrNamesTheProblemWithExitOne(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.hcl"), "dev = true\nservice {\n  name = \"web\"\n}\n");
        String[] r = run("validate", dir.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals("Configuration is valid!", r[1].strip());
        Files.writeString(dir.resolve("b.json"), "{\"bootstrap_expect\": 3}");
        r = run("validate", dir.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].startsWith("Config validation failed: 'bootstrap_expect > 0' not allowed in dev mode"), r[2]);
        r = run("validate", dir.resolve("missing.hcl").toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("does not exist"), r[2]);
    }

    @Test
    void theServerNameCheckMatchesDnsNamesWildcardsAndAddresses(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir, "names");
        TestPki.Leaf leaf = pki.issue("srv", "server.dc1.consul", "*.example.org");
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(Files.readAllBytes(leaf.certFile())));
        for (String ok : List.of("server.dc1.consul", "a.example.org", "127.0.0.1")) {
            HttpsClient.checkName(cert, ok);
        }
        for (String no : List.of("localhost", "a.b.example.org", "example.org", "127.0.0.2")) {
            CertificateException e = assertThrows(CertificateException.class, () -> HttpsClient.checkName(cert, no));
            assertTrue(e.getMessage().contains("-tls-server-name"), e.getMessage());
        }
    }

    @Test
    void tlsFlagsAreCheckedBeforeAnyCall(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpsClient.context(
                new HttpsClient.Settings(dir.resolve("nope.pem").toString(), null, null, null)));
        assertTrue(e.getMessage().contains("-ca-file") && e.getMessage().contains("nope.pem"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HttpsClient.context(
                new HttpsClient.Settings(null, "c.pem", null, null)));
        assertTrue(e.getMessage().contains("together"), e.getMessage());
    }
}
