package io.tribune.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Consul's coordinate_update_* keys: defaults, parsing, and bounds. */
class CoordinateSettingsTest {

    private static AgentConfig load(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test.json").build();
    }

    @Test
    void defaultsAreConsuls() {
        CoordinateSettings s = CoordinateSettings.of(load("{\"dev\": true}"));
        assertEquals(new CoordinateSettings(Duration.ofSeconds(5), 128, 5), s);
        assertEquals(640, s.pendingLimit());
    }

    @Test
    void keysAreReadFromTheConfigFile() {
        CoordinateSettings s = CoordinateSettings.of(load("{\"dev\": true, \"coordinate_update_period\": \"200ms\", "
                + "\"coordinate_update_batch_size\": 16, \"coordinate_update_max_batches\": 3}"));
        assertEquals(new CoordinateSettings(Duration.ofMillis(200), 16, 3), s);
        assertEquals(48, s.pendingLimit());
    }

    @Test
    void outOfRangeValuesStopTheAgentWithTheKeyNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("{\"dev\": true, \"coordinate_update_period\": \"0s\"}"));
        assertTrue(e.getMessage().contains("coordinate_update_period"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"coordinate_update_batch_size\": 0}"));
        assertTrue(e.getMessage().contains("coordinate_update_batch_size"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"coordinate_update_max_batches\": 1000}"));
        assertTrue(e.getMessage().contains("coordinate_update_max_batches"), e.getMessage());
    }
}
