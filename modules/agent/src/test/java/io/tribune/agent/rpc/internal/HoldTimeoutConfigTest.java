package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Consul's {@code performance.rpc_hold_timeout} reaches the forwarder's key, validated. */
class HoldTimeoutConfigTest {

    private static AgentConfig load(String performance) {
        return new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"n\", \"performance\": "
                + performance + "}").getAsJsonObject(), "test").build();
    }

    private static Duration hold(AgentConfig c) {
        return c.pluginConfig().getDuration(Router.HOLD_TIMEOUT_KEY, Router.DEFAULT_HOLD_TIMEOUT);
    }

    @Test
    void defaultsToConsulsSevenSeconds() {
        assertEquals(Duration.ofSeconds(7), hold(load("{}")));
    }

    @Test
    void takesConsulsPerformanceKey() {
        assertEquals(Duration.ofMillis(1500), hold(load("{\"rpc_hold_timeout\": \"1.5s\"}")));
    }

    @Test
    void rejectsZeroNegativeHugeAndMalformedValues() {
        for (String bad : new String[] {"\"0s\"", "\"-1s\"", "\"11m\"", "\"soon\""}) {
            ConfigException e = assertThrows(ConfigException.class, () -> load("{\"rpc_hold_timeout\": " + bad + "}"));
            assertTrue(e.getMessage().contains("rpc_hold_timeout"), e.getMessage());
        }
    }
}
