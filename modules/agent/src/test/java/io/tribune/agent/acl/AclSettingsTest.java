package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Consul's ACL configuration keys, new and legacy, and their checks. */
class AclSettingsTest {

    static AclSettings load(String json) {
        AgentConfig c = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
        return AclSettings.from(c.pluginConfig());
    }

    @Test
    void aclBlockAndPrimaryDatacenter() {
        AclSettings s = load("{\"dev\": true, \"primary_datacenter\": \"DC1\", \"acl\": {\"enabled\": true,"
                + " \"default_policy\": \"deny\", \"down_policy\": \"async-cache\", \"token_ttl\": \"10s\","
                + " \"policy_ttl\": \"1m\", \"enable_token_replication\": true, \"tokens\": {\"master\": \"m\","
                + " \"agent\": \"a\", \"agent_master\": \"am\", \"replication\": \"r\", \"default\": \"d\"}}}");
        assertTrue(s.enabled());
        assertFalse(s.defaultAllow());
        assertEquals(AclSettings.DownPolicy.ASYNC_CACHE, s.downPolicy());
        assertEquals(Duration.ofSeconds(10), s.tokenTtl());
        assertEquals(Duration.ofSeconds(10), s.cacheTtl());
        assertEquals(Duration.ofMinutes(1), s.policyTtl());
        assertTrue(s.enableTokenReplication());
        assertEquals("dc1", s.primaryDatacenter());
        assertEquals("m", s.master());
        assertEquals("a", s.agent());
        assertEquals("am", s.agentMaster());
        assertEquals("r", s.replication());
        assertEquals("d", s.defaultToken());
        assertFalse(s.toString().contains("\"m\"") || s.toString().contains("=m,"), "no secret in toString");
    }

    @Test
    void legacyKeysAreAcceptedAndAclDatacenterTurnsAclsOn() {
        AclSettings s = load("{\"dev\": true, \"acl_datacenter\": \"dc1\", \"acl_default_policy\": \"deny\","
                + " \"acl_down_policy\": \"extend-cache\", \"acl_ttl\": \"5s\", \"acl_token\": \"d\","
                + " \"acl_agent_token\": \"a\", \"acl_agent_master_token\": \"am\", \"acl_master_token\": \"m\","
                + " \"acl_replication_token\": \"r\", \"enable_acl_replication\": true}");
        assertTrue(s.enabled());
        assertFalse(s.defaultAllow());
        assertEquals(Duration.ofSeconds(5), s.tokenTtl());
        assertEquals(Duration.ofSeconds(5), s.policyTtl());
        assertEquals("m", s.master());
        assertEquals("d", s.defaultToken());
        assertEquals("dc1", s.primaryDatacenter());
        // the new keys win over the legacy ones
        AclSettings both = load("{\"dev\": true, \"acl_default_policy\": \"deny\", \"acl\": {\"default_policy\":"
                + " \"allow\"}}");
        assertTrue(both.defaultAllow());
        assertFalse(both.enabled());
    }

    @Test
    void defaultsAreConsuls() {
        AclSettings s = load("{\"dev\": true}");
        assertFalse(s.enabled());
        assertTrue(s.defaultAllow());
        assertEquals(AclSettings.DownPolicy.EXTEND_CACHE, s.downPolicy());
        assertEquals(Duration.ofSeconds(30), s.tokenTtl());
    }

    @Test
    void badValuesStopTheStartWithTheirKey() {
        for (String[] c : new String[][] {
            {"{\"acl\": {\"default_policy\": \"maybe\"}}", "acl.default_policy"},
            {"{\"acl\": {\"down_policy\": \"retry\"}}", "acl.down_policy"},
            {"{\"acl\": {\"token_ttl\": \"-1s\"}}", "acl.token_ttl"},
            {"{\"acl\": {\"enabled\": \"yes\"}}", "acl.enabled"},
            {"{\"acl\": {\"colour\": \"red\"}}", "acl.colour"},
            {"{\"acl\": \"on\"}", "acl"}}) {
            String json = c[0].replaceFirst("\\{", "{\"dev\": true, ");
            ConfigException e = assertThrows(ConfigException.class, () -> load(json), json);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void replicationSettingsAndWhoIsASecondary() {
        AgentConfig c = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"datacenter\": \"dc2\", "
                + "\"primary_datacenter\": \"dc1\", \"acl\": {\"enabled\": true}, \"plugin_config\": "
                + "{\"acl.replication.rate\": \"2.5\", \"acl.replication.burst\": \"7\", "
                + "\"acl.replication.wait\": \"10s\"}}").getAsJsonObject(), "test").build();
        AclSettings s = AclSettings.from(c.pluginConfig());
        assertTrue(AgentAcl.secondary(s, "dc2"));
        assertFalse(AgentAcl.secondary(s, "DC1"), "the primary itself");
        assertFalse(AgentAcl.secondary(AclSettings.DISABLED, "dc2"), "ACLs off");
        assertEquals("dc1", c.primaryDatacenter(), "what /v1/agent/self shows");
        assertEquals(new AclReplicator.Settings(2.5, 7, Duration.ofSeconds(10), true),
                AgentAcl.replicationSettings(c.pluginConfig(), true));
        assertEquals(AclReplicator.Settings.defaults(false), AgentAcl.replicationSettings(
                io.tribune.api.PluginConfig.of(java.util.Map.of()), false));
        assertThrows(ConfigException.class, () -> AgentAcl.replicationSettings(io.tribune.api.PluginConfig.of(
                java.util.Map.of("acl.replication.rate", "0")), false));
        assertThrows(ConfigException.class, () -> AgentAcl.replicationSettings(io.tribune.api.PluginConfig.of(
                java.util.Map.of("acl.replication.burst", "-1")), false));
        AgentConfig plain = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"datacenter\": "
                + "\"dc3\"}").getAsJsonObject(), "test").build();
        assertEquals("dc3", plain.primaryDatacenter(), "no primary configured: the agent's own");
    }
}
