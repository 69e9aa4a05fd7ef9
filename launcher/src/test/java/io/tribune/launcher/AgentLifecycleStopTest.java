package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/** Consul's rule for leaving on a stop signal, per mode and key (keys feature). */
class AgentLifecycleStopTest {

    private static AgentConfig cfg(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
    }

    private static final String SERVER = "{\"data_dir\": \"/d\", \"server\": true";
    private static final String CLIENT = "{\"data_dir\": \"/d\"";

    @Test
    void serversStayOnBothSignalsByDefault() {
        AgentConfig s = cfg(SERVER + "}");
        assertFalse(AgentLifecycle.onStop("INT", s).leave());
        assertFalse(AgentLifecycle.onStop("TERM", s).leave());
        assertEquals("caught SIGINT: stopping without leaving (skip_leave_on_interrupt is true)",
                AgentLifecycle.onStop("INT", s).message());
        assertEquals("caught SIGTERM: stopping without leaving (leave_on_terminate is false)",
                AgentLifecycle.onStop("TERM", s).message());
    }

    @Test
    void clientsAndDevAgentsLeaveOnBothSignalsByDefault() {
        for (AgentConfig c : new AgentConfig[] {cfg(CLIENT + "}"), cfg("{\"dev\": true}")}) {
            assertTrue(AgentLifecycle.onStop("INT", c).leave());
            assertTrue(AgentLifecycle.onStop("TERM", c).leave());
            assertEquals("caught SIGINT: graceful leave", AgentLifecycle.onStop("INT", c).message());
        }
    }

    @Test
    void eachKeyGovernsItsOwnSignalOnly() {
        AgentConfig skipInt = cfg(CLIENT + ", \"skip_leave_on_interrupt\": true}");
        assertFalse(AgentLifecycle.onStop("INT", skipInt).leave());
        assertTrue(AgentLifecycle.onStop("TERM", skipInt).leave());
        AgentConfig noTerm = cfg(CLIENT + ", \"leave_on_terminate\": false}");
        assertTrue(AgentLifecycle.onStop("INT", noTerm).leave());
        assertFalse(AgentLifecycle.onStop("TERM", noTerm).leave());
        AgentConfig serverLeaves = cfg(SERVER + ", \"leave_on_terminate\": true, \"skip_leave_on_interrupt\": false}");
        assertTrue(AgentLifecycle.onStop("INT", serverLeaves).leave());
        assertTrue(AgentLifecycle.onStop("TERM", serverLeaves).leave());
    }

    @Test
    void aStopWithoutATrappedSignalFollowsLeaveOnTerminate() {
        assertTrue(AgentLifecycle.onStop(null, cfg(CLIENT + "}")).leave());
        assertFalse(AgentLifecycle.onStop(null, cfg(SERVER + "}")).leave());
        assertTrue(AgentLifecycle.onStop(null, cfg(CLIENT + "}")).message().startsWith("shutting down: "));
    }
}
