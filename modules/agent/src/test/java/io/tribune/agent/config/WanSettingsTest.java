package io.tribune.agent.config;

import static io.tribune.agent.config.ConfigLoaderTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WanSettingsTest {

    private static AgentConfig load(String extra) {
        return new ConfigLoader().add(json("{\"node_name\": \"s1\", \"data_dir\": \"/d\", \"server\": true"
                + extra + "}"), "flags").build();
    }

    @Test
    void consulWanJoinKeysReachTheAgentThroughTheirWanProperties() {
        AgentConfig c = load(", \"start_join_wan\": [\"10.1.0.1:8302\"], \"retry_join_wan\": [\"10.2.0.1\", "
                + "\"10.2.0.2:8302\"], \"retry_interval_wan\": \"250ms\", \"retry_max_wan\": 4");
        WanSettings w = WanSettings.of(c);
        assertEquals(List.of("10.1.0.1:8302"), w.startJoin());
        assertEquals(List.of("10.2.0.1", "10.2.0.2:8302"), w.retryJoin());
        assertEquals(Duration.ofMillis(250), w.retryInterval());
        assertEquals(4, w.retryMax());
        assertTrue(w.joins());
    }

    @Test
    void withoutWanKeysNothingIsJoinedAndConsulDefaultsHold() {
        WanSettings w = WanSettings.of(load(""));
        assertEquals(WanSettings.NONE, w);
        assertEquals(Duration.ofSeconds(30), w.retryInterval());
        assertTrue(w.asProperties().isEmpty());
    }

    @Test
    void wanJoinsWhereNoWanPoolCanExistAreRefusedNamingTheKeys() {
        String msg = assertThrows(ConfigException.class, () -> new ConfigLoader().add(json("{\"node_name\": \"c1\", "
                + "\"data_dir\": \"/d\", \"retry_join_wan\": [\"10.0.0.1\"]}"), "flags").build()).getMessage();
        assertTrue(msg.contains("retry_join_wan") && msg.contains("WAN pool"), msg);
        assertThrows(ConfigException.class, () -> new ConfigLoader().add(json("{\"dev\": true, "
                + "\"start_join_wan\": [\"10.0.0.1\"]}"), "flags").build(), "-dev has no WAN pool");
        assertThrows(ConfigException.class, () -> load(", \"ports\": {\"serf_wan\": -1}, "
                + "\"retry_join_wan\": [\"10.0.0.1\"]"), "the WAN port is disabled");
    }

    @Test
    void badWanValuesAreErrorsNamingTheKey() {
        assertTrue(assertThrows(ConfigException.class, () -> load(", \"retry_max_wan\": -1")).getMessage()
                .contains("retry_max_wan"));
        assertTrue(assertThrows(ConfigException.class, () -> load(", \"retry_interval_wan\": \"0s\"")).getMessage()
                .contains("retry_interval_wan"));
        assertTrue(assertThrows(ConfigException.class, () -> load(", \"retry_interval_wan\": \"soon\"")).getMessage()
                .contains("retry_interval_wan"));
        assertTrue(assertThrows(ConfigException.class, () -> load(", \"retry_join_wan\": [\"a b\"]")).getMessage()
                .contains("a b"));
    }

    @Test
    void theWanPoolGetsTheLanKeysWithItsOwnOverridesAndTheLanPoolNeverSeesThem() {
        Map<String, String> all = Map.of("gossip-swim.encrypt", "LANKEY", "gossip-swim.profile", "local",
                "gossip-swim.wan.encrypt", "WANKEY", "gossip-swim.wan.label", "wan-only", "raft.multiplier", "1",
                "wan.retry-join", "10.0.0.1");
        assertEquals(Map.of("gossip-swim.encrypt", "LANKEY", "gossip-swim.profile", "local"),
                WanSettings.wanPluginConfig(all, "gossip-swim", false));
        assertEquals(Map.of("gossip-swim.encrypt", "WANKEY", "gossip-swim.profile", "local",
                "gossip-swim.label", "wan-only"), WanSettings.wanPluginConfig(all, "gossip-swim", true));
        assertEquals(Map.of("gossip-swim.encrypt", "LANKEY"), WanSettings.wanPluginConfig(
                Map.of("gossip-swim.encrypt", "LANKEY"), "gossip-swim", true), "same keyring unless configured");
    }
}
