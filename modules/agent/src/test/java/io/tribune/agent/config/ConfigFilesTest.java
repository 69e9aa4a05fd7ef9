package io.tribune.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.testkit.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HCL and JSON config files, directories, warnings, error messages and the keys of the config feature. */
class ConfigFilesTest {

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static ConfigException fails(ConfigLoader l) {
        return assertThrows(ConfigException.class, l::build);
    }

    private static void noClassNames(String m) {
        assertFalse(m.matches("(?s).*\\b(java|com)\\.[a-z.]+\\.[A-Z]\\w*(Exception|Error).*"), m);
        assertFalse(m.contains("Exception"), m);
    }

    @Test
    void consulsHclIsReadWithRepeatedBlocksAsListsAndWholeNumbersAsIntegers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.hcl");
        Files.writeString(f, """
                node_name = "n1"
                data_dir = "/tmp/x"
                server = true
                bootstrap_expect = 3
                retry_join = ["10.0.0.1", "10.0.0.2"]
                ports {
                  http = 9500
                  dns = -1
                }
                service {
                  name = "web"
                  port = 80
                  tags = ["a", "b"]
                  check {
                    ttl = "30s"
                  }
                }
                service {
                  name = "db"
                  port = 5432
                }
                node_meta {
                  rack = "r1"
                }
                performance {
                  raft_multiplier = 1
                }
                """);
        AgentConfig c = new ConfigLoader().addPath(f).build();
        assertEquals("n1", c.nodeName());
        assertEquals(3, c.bootstrapExpect());
        assertEquals(List.of("10.0.0.1", "10.0.0.2"), c.retryJoin());
        assertEquals(9500, c.ports().http());
        assertEquals(-1, c.ports().dns());
        assertEquals(2, c.services().size());
        assertTrue(c.services().get(0).contains("\"port\":80"), c.services().get(0));
        assertTrue(c.services().get(1).contains("\"db\""), c.services().get(1));
        assertEquals(Map.of("rack", "r1"), ConfigKeys.nodeMeta(c));
        assertEquals("1", c.pluginConfig().get("raft.multiplier"));
    }

    @Test
    void aDirectoryMergesJsonAndHclInNameOrderAndWarnsAboutOtherFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("10-base.json"), "{\"dev\": true, \"node_name\": \"a\", \"log_level\": \"warn\"}");
        Files.writeString(dir.resolve("20-over.hcl"), "node_name = \"b\"\n");
        Files.writeString(dir.resolve("30-last.json"), "{\"log_level\": \"debug\"}");
        Files.writeString(dir.resolve("notes.txt"), "node_name = \"ignored\"\n");
        Files.createDirectory(dir.resolve("sub.json"));
        ConfigLoader l = new ConfigLoader().addPath(dir);
        AgentConfig c = l.build();
        assertEquals("b", c.nodeName());
        assertEquals("debug", c.logLevel());
        assertEquals(1, l.warnings().size(), l.warnings().toString());
        assertTrue(l.warnings().get(0).contains("notes.txt"), l.warnings().get(0));
    }

    @Test
    void configFormatForcesTheFormatOfEveryFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("agent.conf");
        Files.writeString(f, "dev = true\nnode_name = \"forced\"\n");
        assertEquals("forced", new ConfigLoader().addPath(f, "hcl").build().nodeName());
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("-config-format"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f, "yaml"));
        assertTrue(e.getMessage().contains("json or hcl"), e.getMessage());
    }

    @Test
    void hclFragmentsOfTheCommandLineAreALayer() {
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true, \"node_name\": \"file\"}"), "file")
                .addHcl("node_name = \"frag\"").build();
        assertEquals("frag", c.nodeName());
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().addHcl("bogus = 1"));
        assertTrue(e.getMessage().contains("'bogus'") && e.getMessage().contains("-hcl"), e.getMessage());
    }

    @Test
    void badJsonNamesTheFileLineAndKeyWithoutJavaClassNames(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\n  \"dev\": true,\n  \"node_name\": ");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f));
        String m = e.getMessage();
        assertTrue(m.contains(f.toString()), m);
        assertTrue(m.contains("line 3"), m);
        assertTrue(m.contains("node_name"), m);
        noClassNames(m);
        Files.writeString(f, "{\"dev\": true,, }");
        m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("line 1") && m.contains("not valid JSON"), m);
        noClassNames(m);
    }

    @Test
    void badHclNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.hcl");
        Files.writeString(f, "dev = true\nnode_name = = \"x\"\n");
        String m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains(f.toString()) && m.contains("line 2") && m.contains("not valid HCL"), m);
        noClassNames(m);
    }

    @Test
    void hclThatTheParserWouldMisreadIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.hcl");
        // Unclosed: the parser alone put 'http' at the top level and forgot 'ports'.
        Files.writeString(f, "dev = true\nports {\n  http = 8501\n");
        String m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains(f.toString()) && m.contains("not valid HCL: line 2, column 7: '{' is never closed"), m);
        Files.writeString(f, "dev = true\nnode_name =\n");
        m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("key 'node_name' has no value"), m);
        Files.writeString(f, "ports {\n  http =\n}\n");
        m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("key 'ports.http' has no value"), m);
        Files.writeString(f, "node_name = \"x\nretry_join = []\n");
        m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("line 1, column 13: string is not closed on its line"), m);
        noClassNames(m);
    }

    @Test
    void anUnknownKeyNamesTheFileAndItsLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("a.hcl");
        Files.writeString(f, "dev = true\n\nnode_nme = \"x\"\n");
        String m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("'node_nme'") && m.contains(f.toString()) && m.contains("line 3"), m);
        Path j = dir.resolve("b.json");
        Files.writeString(j, "{\n \"dev\": true,\n \"bogus\": 1\n}");
        m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(j)).getMessage();
        assertTrue(m.contains("'bogus'") && m.contains(j.toString()) && m.contains("line 3"), m);
    }

    @Test
    void aMissingFileSaysSo(@TempDir Path dir) {
        Path f = dir.resolve("nope.hcl");
        String m = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains(f.toString()) && m.contains("does not exist"), m);
    }

    @Test
    void aWrongTypeNamesTheFileThatSetIt(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("types.json");
        Files.writeString(f, "{\"dev\": true, \"bootstrap_expect\": \"three\"}");
        String m = fails(new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("bootstrap_expect") && m.contains(f.toString()), m);
        Files.writeString(f, "{\"dev\": true, \"ports\": {\"http\": \"x\"}}");
        m = fails(new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("ports.http") && m.contains(f.toString()), m);
        Files.writeString(f, "{\"dev\": true, \"server\": \"yes\"}");
        m = fails(new ConfigLoader().addPath(f)).getMessage();
        assertTrue(m.contains("server") && m.contains(f.toString()), m);
    }

    @Test
    void devWithBootstrapExpectHasConsulsMessage() {
        String m = fails(new ConfigLoader().add(json("{\"dev\": true, \"bootstrap_expect\": 3}"), "flags"))
                .getMessage();
        assertTrue(m.startsWith("'bootstrap_expect > 0' not allowed in dev mode"), m);
        m = fails(new ConfigLoader().add(json("{\"server\": true, \"bootstrap\": true, \"bootstrap_expect\": 3, "
                + "\"data_dir\": \"/d\"}"), "flags")).getMessage();
        assertEquals("'bootstrap_expect > 0' and 'bootstrap = true' are mutually exclusive", m);
    }

    @Test
    void consulKeysWithoutMeaningHereAreWarnings() {
        ConfigLoader l = new ConfigLoader().add(json("{\"dev\": true, \"disable_update_check\": true, "
                + "\"raft_protocol\": 3}"), "config file x.json");
        l.build();
        assertEquals(2, l.warnings().size(), l.warnings().toString());
        assertTrue(l.warnings().get(0).contains("'disable_update_check'") && l.warnings().get(0).contains("x.json"));
    }

    @Test
    void encryptSetsTheGossipKeyOfBothPoolsAndIsValidated() {
        String key = "pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=";
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true, \"encrypt\": \"" + key + "\"}"), "f").build();
        assertEquals(key, c.pluginConfig().get(ConfigKeys.GOSSIP_ENCRYPT));
        assertEquals(key, WanSettings.wanPluginConfig(c.pluginConfig().asMap(), "gossip-swim", true)
                .get(ConfigKeys.GOSSIP_ENCRYPT));
        // An explicit plugin setting wins over the Consul key.
        c = new ConfigLoader().add(json("{\"dev\": true, \"encrypt\": \"" + key + "\", \"plugin_config\": "
                + "{\"gossip-swim.encrypt\": \"AAAAAAAAAAAAAAAAAAAAAA==\"}}"), "f").build();
        assertEquals("AAAAAAAAAAAAAAAAAAAAAA==", c.pluginConfig().get(ConfigKeys.GOSSIP_ENCRYPT));
        for (String bad : List.of("not base64!", "AAAA")) {
            String m = fails(new ConfigLoader().add(json("{\"dev\": true, \"encrypt\": \"" + bad + "\"}"),
                    "config file e.json")).getMessage();
            assertTrue(m.startsWith("encrypt:") && m.contains("e.json"), m);
        }
    }

    @Test
    void pidFileNodeMetaAndRejoinAreRead() {
        ConfigLoader l = new ConfigLoader().add(json("{\"dev\": true, \"pid_file\": \"/run/t.pid\", "
                + "\"node_meta\": {\"rack\": \"r1\", \"zone\": \"z\"}, \"rejoin_after_leave\": true}"), "f");
        AgentConfig c = l.build();
        assertEquals(Path.of("/run/t.pid"), ConfigKeys.pidFile(c).orElseThrow());
        assertEquals(Map.of("rack", "r1", "zone", "z"), ConfigKeys.nodeMeta(c));
        assertTrue(l.warnings().stream().anyMatch(w -> w.contains("rejoin_after_leave")), l.warnings().toString());
        for (String bad : List.of("{\"consul-x\": \"1\"}", "{\"a b\": \"1\"}", "{\"k\": \"" + "v".repeat(513) + "\"}")) {
            String m = fails(new ConfigLoader().add(json("{\"dev\": true, \"node_meta\": " + bad + "}"), "f"))
                    .getMessage();
            assertTrue(m.startsWith("node_meta:"), m);
        }
    }

    @Test
    void httpsNeedsACertificateAndVerifyIncomingNeedsACa(@TempDir Path dir) {
        TestPki pki = new TestPki(dir, "https");
        TestPki.Leaf leaf = pki.issue("localhost", "localhost");
        String files = "\"cert_file\": \"" + leaf.certFile() + "\", \"key_file\": \"" + leaf.keyFile() + "\"";
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true, \"ports\": {\"https\": 8501}, " + files + "}"),
                "f").build();
        ConfigKeys.Https h = ConfigKeys.https(c.pluginConfig()).orElseThrow();
        assertEquals(8501, h.port());
        assertEquals(leaf.certFile(), h.certFile());
        assertFalse(h.verifyIncoming());
        assertTrue(c.tls().isEmpty(), "cert and key without a CA serve HTTPS only, not server RPC TLS");
        c = new ConfigLoader().add(json("{\"dev\": true, \"ports\": {\"https\": 8501}, " + files + ", \"ca_file\": \""
                + pki.caFile + "\", \"verify_incoming_https\": true}"), "f").build();
        h = ConfigKeys.https(c.pluginConfig()).orElseThrow();
        assertTrue(h.verifyIncoming());
        assertEquals(pki.caFile, h.caFile().orElseThrow());
        assertTrue(ConfigKeys.https(new ConfigLoader().add(json("{\"dev\": true}"), "f").build().pluginConfig())
                .isEmpty());
        String m = fails(new ConfigLoader().add(json("{\"dev\": true, \"ports\": {\"https\": 8501}}"), "f"))
                .getMessage();
        assertTrue(m.contains("cert_file and key_file"), m);
        m = fails(new ConfigLoader().add(json("{\"dev\": true, \"ports\": {\"https\": 8501}, " + files
                + ", \"verify_incoming_https\": true}"), "f")).getMessage();
        assertTrue(m.contains("verify_incoming_https needs ca_file"), m);
        m = fails(new ConfigLoader().add(json("{\"dev\": true, \"verify_incoming_https\": true}"), "f")).getMessage();
        assertTrue(m.contains("ports.https"), m);
    }
}
