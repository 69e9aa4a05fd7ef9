package io.tribune.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.api.PluginConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Consul's {@code telemetry} block: defaults, the served sub-keys, and clear refusals. */
class TelemetrySettingsTest {

    static AgentConfig load(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test.json").build();
    }

    @Test
    void defaultsAreConsulsPrometheusOffHostnameOnPrefixConsul() {
        TelemetrySettings s = TelemetrySettings.of(load("{\"dev\": true}").pluginConfig());
        assertEquals(TelemetrySettings.DEFAULT, s);
        assertFalse(s.prometheusEnabled());
    }

    @Test
    void telemetryBlockIsReadFromConfigFiles() {
        TelemetrySettings s = TelemetrySettings.of(load("{\"dev\": true, \"telemetry\": {\"prometheus_retention_time\": "
                + "\"60s\", \"disable_hostname\": true, \"metrics_prefix\": \"tribune\"}}").pluginConfig());
        assertEquals(new TelemetrySettings(Duration.ofSeconds(60), true, "tribune"), s);
        assertTrue(s.prometheusEnabled());
    }

    @Test
    void unknownSubKeyIsRefusedNamingItAndTheServedOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"telemetry\": "
                + "{\"statsd_address\": \"127.0.0.1:8125\"}}"));
        assertEquals("unknown key 'telemetry.statsd_address'; Tribune serves [disable_hostname, metrics_prefix, "
                + "prometheus_retention_time]", e.getMessage());
    }

    @Test
    void badValuesAreRefusedAndNothingIsWritten() {
        Map<String, String> props = new TreeMap<>();
        for (String bad : new String[] {"{\"prometheus_retention_time\": \"soon\"}",
                "{\"prometheus_retention_time\": \"-1s\", \"metrics_prefix\": \"x\"}",
                "{\"prometheus_retention_time\": \"25h\"}", "{\"disable_hostname\": \"yes\"}",
                "{\"metrics_prefix\": \"has space\"}", "{\"metrics_prefix\": \"\"}", "{\"metrics_prefix\": {}}"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> TelemetrySettings.toProperties(
                    JsonParser.parseString(bad).getAsJsonObject(), props), bad);
            assertTrue(e.getMessage().startsWith("telemetry."), e.getMessage());
            assertEquals(Map.of(), props, "nothing written for " + bad);
        }
        assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"telemetry\": 5}"));
    }

    @Test
    void pluginConfigValuesAreCheckedToo() {
        ConfigException e = assertThrows(ConfigException.class, () -> TelemetrySettings.of(
                PluginConfig.of(Map.of("telemetry.prometheus-retention-time", "ever"))));
        assertTrue(e.getMessage().contains("telemetry"), e.getMessage());
    }
}
