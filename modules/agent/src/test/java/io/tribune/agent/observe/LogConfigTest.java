package io.tribune.agent.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Consul's log keys and the autopilot object as the config loader reads them. */
class LogConfigTest {
    private static AgentConfig load(String json) {
        ConfigLoader l = new ConfigLoader();
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        o.addProperty("dev", true);
        l.add(o, "test.json");
        return l.build();
    }

    @Test
    void logKeysBecomeLogSettings() {
        AgentConfig c = load("{\"log_file\": \"/var/log/tribune/\", \"log_rotate_bytes\": 1048576, "
                + "\"log_rotate_duration\": \"1h\", \"log_rotate_max_files\": 5, \"log_json\": true}");
        assertEquals(new LogSettings(Optional.of("/var/log/tribune/"), 1048576, Duration.ofHours(1), 5, true),
                LogSettings.of(c.pluginConfig()));
        assertEquals(LogSettings.DEFAULT, LogSettings.of(load("{}").pluginConfig()));
    }

    @Test
    void badLogValuesNameTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("{\"log_rotate_bytes\": \"lots\"}"));
        assertTrue(e.getMessage().contains("log_rotate_bytes"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"log_rotate_duration\": \"0s\"}"));
        assertTrue(e.getMessage().contains("log_rotate_duration"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"log_rotate_max_files\": -5}"));
        assertTrue(e.getMessage().contains("log_rotate_max_files"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"log_json\": \"maybe\"}"));
        assertTrue(e.getMessage().contains("log_json"), e.getMessage());
    }

    @Test
    void autopilotObjectIsAcceptedAndCheckedForUnknownKeys() {
        AgentConfig c = load("{\"autopilot\": {\"cleanup_dead_servers\": false, \"last_contact_threshold\": \"500ms\"}}");
        assertEquals("false", c.pluginConfig().getString("autopilot.cleanup-dead-servers", ""));
        assertEquals("500ms", c.pluginConfig().getString("autopilot.last-contact-threshold", ""));
        ConfigException e = assertThrows(ConfigException.class, () -> load("{\"autopilot\": {\"cleanup\": true}}"));
        assertTrue(e.getMessage().contains("autopilot.cleanup"), e.getMessage());
        assertThrows(ConfigException.class, () -> load("{\"autopilot\": true}"));
    }
}
