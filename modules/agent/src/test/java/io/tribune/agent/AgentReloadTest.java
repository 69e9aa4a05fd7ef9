package io.tribune.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which keys a reload applies and which need a restart. */
class AgentReloadTest {

    private static AgentConfig cfg(String extra) {
        return new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"n\"" + extra + "}")
                .getAsJsonObject(), "test").build();
    }

    @Test
    void servicesChecksLogLevelAndAgentTokensNeedNoRestart() {
        AgentConfig a = cfg("");
        AgentConfig b = cfg(", \"log_level\": \"debug\", \"services\": [{\"Name\": \"web\"}], "
                + "\"checks\": [{\"ID\": \"c\", \"Name\": \"c\", \"TTL\": \"10s\"}], \"acl\": {\"tokens\": {\"agent\": \"t1\"}}");
        assertEquals(List.of(), AgentReload.restartKeys(a, b));
        assertEquals(Map.of("agent", "t1"), AgentReload.changedTokens(a, b));
        assertEquals(Map.of("agent", ""), AgentReload.changedTokens(b, a), "a removed token is cleared");
    }

    @Test
    void otherKeysAreNamedInAStableOrder() {
        AgentConfig a = cfg("");
        AgentConfig b = cfg(", \"datacenter\": \"dc2\", \"ports\": {\"http\": 9500}, \"encrypt\": "
                + "\"AAAAAAAAAAAAAAAAAAAAAA==\", \"node_meta\": {\"rack\": \"r\"}, \"enable_script_checks\": true, "
                + "\"acl\": {\"tokens\": {\"master\": \"m\"}}");
        assertEquals(List.of("datacenter", "ports", "enable_script_checks", "acl.tokens.master", "agent.node-meta.rack",
                "gossip-swim.encrypt"), AgentReload.restartKeys(a, b));
        assertEquals(Map.of(), AgentReload.changedTokens(a, b), "the master token is not swapped at run time");
    }

    @Test
    void newKeysAreNamedByConsulsNamesAndLeaveKeysApplyInPlace() {
        AgentConfig a = cfg("");
        AgentConfig b = cfg(", \"node_id\": \"adf4238a-882b-9ddc-4a9d-5b6758e4159e\", "
                + "\"addresses\": {\"http\": \"127.0.40.2\"}, \"advertise_addr_wan\": \"127.0.40.3\", "
                + "\"http_config\": {\"response_headers\": {\"X-A\": \"1\", \"X-B\": \"2\"}}");
        assertEquals(List.of("addresses.http", "advertise_addr_wan", "node_id", "http_config.response_headers"),
                AgentReload.restartKeys(a, b));
        AgentConfig c = cfg(", \"leave_on_terminate\": false, \"skip_leave_on_interrupt\": true");
        assertEquals(List.of(), AgentReload.restartKeys(a, c), "read when a signal arrives, so reloaded in place");
    }
}
