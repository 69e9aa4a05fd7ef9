package io.tribune.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.api.SpiKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    @Test
    void devDefaultsAreASingleLoopbackServerWithConsulPorts() {
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true}"), "flags").build();
        assertTrue(c.dev());
        assertTrue(c.server());
        assertTrue(c.bootstrap());
        assertTrue(c.dataDir().isEmpty());
        assertEquals("127.0.0.1", c.bindAddr());
        assertEquals("127.0.0.1", c.clientAddr());
        assertEquals(AgentConfig.Ports.DEFAULT, c.ports());
        assertEquals("dc1", c.datacenter());
    }

    @Test
    void consulsHttpConnectionLimitIsPassedToTheHttpFrontEndAndValidated() {
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true, \"limits\": {\"http_max_conns_per_client\": 7}}"),
                "flags").build();
        assertEquals("7", c.pluginConfig().get("http.max-conns-per-client"));
        assertEquals(null, new ConfigLoader().add(json("{\"dev\": true}"), "flags").build().pluginConfig()
                .get("http.max-conns-per-client"));
        for (String bad : List.of("-1", "\"many\"", "1.5", "true")) {
            ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader().add(json(
                    "{\"dev\": true, \"limits\": {\"http_max_conns_per_client\": " + bad + "}}"), "flags").build());
            assertTrue(e.getMessage().contains("limits.http_max_conns_per_client"), e.getMessage());
        }
    }

    @Test
    void uiIsOnInDevOffOtherwiseAndTheKeyWinsAndMustBeABoolean() {
        String dataDir = "\"data_dir\": \"/d\", ";
        assertEquals("true", new ConfigLoader().add(json("{\"dev\": true}"), "flags").build().pluginConfig()
                .get("ui.enabled"));
        assertEquals("false", new ConfigLoader().add(json("{\"dev\": true, \"ui\": false}"), "flags").build()
                .pluginConfig().get("ui.enabled"));
        assertEquals("false", new ConfigLoader().add(json("{" + dataDir + "\"server\": true}"), "flags").build()
                .pluginConfig().get("ui.enabled"));
        assertEquals("true", new ConfigLoader().add(json("{" + dataDir + "\"ui\": true}"), "flags").build()
                .pluginConfig().get("ui.enabled"));
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"ui\": \"yes please\"}"), "flags").build());
        assertTrue(e.getMessage().contains("ui"), e.getMessage());
    }

    @Test
    void filesThenFlagsOverrideKeyByKeyAndPortsMerge(@TempDir Path dir) throws Exception {
        Path f1 = dir.resolve("a.json");
        Files.writeString(f1, "{\"node_name\": \"n1\", \"data_dir\": \"/d\", \"server\": true, "
                + "\"ports\": {\"http\": 9500, \"dns\": 9600}, \"retry_join\": [\"10.0.0.1\"], "
                + "\"plugins\": {\"storage\": \"storage-memory\"}, \"performance\": {\"raft_multiplier\": 1}}");
        AgentConfig c = new ConfigLoader().addPath(dir)
                .add(json("{\"node_name\": \"n2\", \"ports\": {\"http\": 9999}, \"retry_interval\": \"5s\"}"), "flags")
                .build();
        assertEquals("n2", c.nodeName());
        assertEquals(9999, c.ports().http());
        assertEquals(9600, c.ports().dns());
        assertEquals(List.of("10.0.0.1"), c.retryJoin());
        assertEquals(Duration.ofSeconds(5), c.retryInterval());
        assertEquals("storage-memory", c.plugin(SpiKind.STORAGE).orElseThrow());
        assertEquals("1", c.pluginConfig().get("raft.multiplier"));
        assertFalse(c.dev());
    }

    @Test
    void unknownKeyIsAnErrorNamingTheKeyAndSource(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"data_dri\": \"/x\"}");
        var e = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f));
        assertTrue(e.getMessage().contains("data_dri") && e.getMessage().contains("bad.json"), e.getMessage());
    }

    @Test
    void malformedJsonIsAnError(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.json");
        Files.writeString(f, "{\"server\": tru");
        var e = assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void badValuesAreErrors() {
        assertThrows(ConfigException.class, () -> new ConfigLoader().add(json("{\"server\": \"yes\"}"), "f").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"ports\": {\"http\": 70000}}"), "f").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"ports\": {\"htp\": 1}}"), "f"));
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"retry_interval\": \"soon\"}"), "f").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"plugins\": {\"database\": \"x\"}}"), "f").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"node_name\": \"bad name!\"}"), "f").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"dev\": true, \"performance\": {\"raft_multiplier\": 11}}"), "f").build());
    }

    @Test
    void discoveryMaxStaleIsAConsulDurationOffByDefault() {
        assertEquals(Duration.ZERO, new ConfigLoader().add(json("{\"dev\": true}"), "f").build().discoveryMaxStale());
        assertEquals(Duration.ofSeconds(90), new ConfigLoader()
                .add(json("{\"dev\": true, \"discovery_max_stale\": \"1m30s\"}"), "f").build().discoveryMaxStale());
        assertEquals(Duration.ZERO, new ConfigLoader()
                .add(json("{\"dev\": true, \"discovery_max_stale\": \"0s\"}"), "f").build().discoveryMaxStale());
        for (String bad : List.of("\"-5s\"", "\"soon\"", "\"\"", "{}", "[\"5s\"]")) {
            var e = assertThrows(ConfigException.class, () -> new ConfigLoader()
                    .add(json("{\"dev\": true, \"discovery_max_stale\": " + bad + "}"), "f").build(), bad);
            assertTrue(e.getMessage().contains("discovery_max_stale"), e.getMessage());
        }
    }

    @Test
    void serverWithoutDataDirAndBootstrapOnClientAreErrors() {
        var e = assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"server\": true}"), "f").build());
        assertTrue(e.getMessage().contains("data_dir"), e.getMessage());
        var e2 = assertThrows(ConfigException.class, () -> new ConfigLoader()
                .add(json("{\"data_dir\": \"/d\", \"bootstrap_expect\": 3}"), "f").build());
        assertTrue(e2.getMessage().contains("server mode"), e2.getMessage());
    }
}
