package io.tribune.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.cluster.NodeIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys of the keys feature: {@code node_id}, {@code addresses.*}, {@code advertise_addr_wan},
 * {@code leave_on_terminate} / {@code skip_leave_on_interrupt} defaults, {@code http_config}.
 */
class ConfigLoaderKeysTest {
    private static final String ID = "adf4238a-882b-9ddc-4a9d-5b6758e4159e";

    @TempDir
    Path dir;

    static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    private static AgentConfig dev(String extra) {
        return new ConfigLoader().add(json("{\"dev\": true" + (extra.isEmpty() ? "" : ", " + extra) + "}"), "flags")
                .build();
    }

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private ConfigException failsFrom(String name, String text) throws Exception {
        Path f = file(name, text);
        return assertThrows(ConfigException.class, () -> new ConfigLoader().addPath(f).build());
    }

    @Test
    void nodeIdIsAUuidKeptLowerCase() {
        assertEquals(ID, ConfigKeys.nodeId(dev("\"node_id\": \"" + ID.toUpperCase() + "\"")).orElseThrow());
        assertTrue(ConfigKeys.nodeId(dev("")).isEmpty());
    }

    @Test
    void badNodeIdNamesKeyFileAndLine() throws Exception {
        for (String bad : List.of("not-a-uuid", "adf4238a882b9ddc4a9d5b6758e4159e", "00000000-0000-0000-0000-000000000000",
                ID + "0")) {
            ConfigException e = failsFrom("n.hcl", "dev = true\nnode_id = \"" + bad + "\"\n");
            assertTrue(e.getMessage().startsWith("node_id: "), e.getMessage());
            assertTrue(e.getMessage().contains("n.hcl, line 2)"), e.getMessage());
        }
    }

    @Test
    void settledNodeIdIsWrittenToTheDataDirAndReadBackAfterARename() throws Exception {
        Path data = dir.resolve("data");
        AgentConfig first = new ConfigLoader().add(json("{\"node_name\": \"a\", \"data_dir\": \"" + data + "\"}"),
                "flags").build();
        AgentConfig settled = NodeIds.settle(first);
        String id = NodeIds.of(settled);
        assertEquals(NodeIds.of("a"), id);
        assertEquals(id, Files.readString(data.resolve("node-id")).strip());
        AgentConfig renamed = new ConfigLoader().add(json("{\"node_name\": \"b\", \"data_dir\": \"" + data + "\"}"),
                "flags").build();
        assertEquals(id, NodeIds.of(NodeIds.settle(renamed)), "the kept ID survives a new node name");
    }

    @Test
    void configuredNodeIdWinsOverTheFileAndIsNotWritten() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("node-id"), NodeIds.of("x"));
        AgentConfig c = new ConfigLoader().add(json("{\"node_name\": \"a\", \"data_dir\": \"" + data
                + "\", \"node_id\": \"" + ID + "\"}"), "flags").build();
        assertEquals(ID, NodeIds.of(NodeIds.settle(c)));
        assertEquals(NodeIds.of("x"), Files.readString(data.resolve("node-id")));
    }

    @Test
    void aCorruptNodeIdFileStopsStartNamingTheFile() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("node-id"), "garbage");
        AgentConfig c = new ConfigLoader().add(json("{\"node_name\": \"a\", \"data_dir\": \"" + data + "\"}"), "flags")
                .build();
        ConfigException e = assertThrows(ConfigException.class, () -> NodeIds.settle(c));
        assertTrue(e.getMessage().contains(data.resolve("node-id").toString()), e.getMessage());
        assertEquals("garbage", Files.readString(data.resolve("node-id")), "nothing is rewritten");
    }

    @Test
    void aMemberIsRegisteredUnderItsGossipedIdElseTheDerivedOne() {
        assertEquals(ID, NodeIds.ofMember("a", ID.toUpperCase()));
        assertEquals(NodeIds.of("a"), NodeIds.ofMember("a", null));
        assertEquals(NodeIds.of("a"), NodeIds.ofMember("a", "junk"));
    }

    @Test
    void addressesOverrideClientAddrPerListener() {
        AgentConfig c = dev("\"client_addr\": \"127.0.40.1\", \"addresses\": {\"http\": \"127.0.40.2\", "
                + "\"dns\": \"::1\"}");
        assertEquals("127.0.40.2", ConfigKeys.address(c, "http"));
        assertEquals("::1", ConfigKeys.address(c, "dns"));
        assertEquals("127.0.40.1", ConfigKeys.address(c, "grpc"));
        assertEquals("127.0.40.1", ConfigKeys.address(c, "https"));
        assertThrows(IllegalArgumentException.class, () -> ConfigKeys.address(c, "serf_lan"));
    }

    @Test
    void addressesMergeAcrossLayersPerListener() {
        AgentConfig c = new ConfigLoader().add(json("{\"dev\": true, \"addresses\": {\"http\": \"127.0.40.2\"}}"), "a")
                .add(json("{\"addresses\": {\"grpc\": \"127.0.40.3\"}}"), "b").build();
        assertEquals("127.0.40.2", ConfigKeys.address(c, "http"));
        assertEquals("127.0.40.3", ConfigKeys.address(c, "grpc"));
    }

    @Test
    void badAddressesNameKeyFileAndLine() throws Exception {
        ConfigException e = failsFrom("a.hcl", "dev = true\naddresses {\n  http = \"127.0.0.1\"\n  dns = \"myhost\"\n}\n");
        assertTrue(e.getMessage().startsWith("addresses.dns: 'myhost' is not an IP address"), e.getMessage());
        assertTrue(e.getMessage().contains("a.hcl, line 4)"), e.getMessage());
        for (String bad : List.of("unix:///tmp/consul.sock", "{{ GetPrivateIP }}", "127.0.0.1 127.0.0.2", "300.1.1.1",
                "")) {
            ConfigException x = failsFrom("b.json", "{\"dev\": true, \"addresses\": {\"grpc\": \"" + bad + "\"}}");
            assertTrue(x.getMessage().startsWith("addresses.grpc: "), x.getMessage());
            assertTrue(x.getMessage().contains("b.json, line 1)"), x.getMessage());
        }
        ConfigException u = failsFrom("c.json", "{\"dev\": true,\n \"addresses\": {\"serf_lan\": \"127.0.0.1\"}}");
        assertTrue(u.getMessage().contains("unknown key 'addresses.serf_lan'"), u.getMessage());
        assertTrue(u.getMessage().contains("c.json (line 2)"), u.getMessage());
    }

    @Test
    void advertiseAddrWanDefaultsToAdvertiseAddrAndIsValidated() throws Exception {
        AgentConfig plain = dev("\"advertise_addr\": \"127.0.40.5\"");
        assertEquals("127.0.40.5", ConfigKeys.advertiseAddrWan(plain));
        AgentConfig wan = dev("\"advertise_addr\": \"127.0.40.5\", \"advertise_addr_wan\": \"127.0.40.6\"");
        assertEquals("127.0.40.6", ConfigKeys.advertiseAddrWan(wan));
        ConfigException e = failsFrom("w.json", "{\n\"dev\": true,\n\"advertise_addr_wan\": \"0.0.0.0\"\n}");
        assertTrue(e.getMessage().startsWith("advertise_addr_wan: "), e.getMessage());
        assertTrue(e.getMessage().contains("w.json, line 3)"), e.getMessage());
        assertThrows(ConfigException.class, () -> dev("\"advertise_addr_wan\": \"wan.example.com\""));
    }

    @Test
    void leaveDefaultsFollowConsulPerMode() {
        String data = "\"data_dir\": \"/d\"";
        AgentConfig server = new ConfigLoader().add(json("{" + data + ", \"server\": true}"), "f").build();
        AgentConfig client = new ConfigLoader().add(json("{" + data + "}"), "f").build();
        AgentConfig devAgent = dev("");
        assertFalse(server.leaveOnTerminate());
        assertTrue(ConfigKeys.skipLeaveOnInterrupt(server));
        assertTrue(client.leaveOnTerminate());
        assertFalse(ConfigKeys.skipLeaveOnInterrupt(client));
        assertTrue(devAgent.leaveOnTerminate());
        assertFalse(ConfigKeys.skipLeaveOnInterrupt(devAgent));
        AgentConfig set = new ConfigLoader().add(json("{" + data + ", \"server\": true, \"leave_on_terminate\": true, "
                + "\"skip_leave_on_interrupt\": false}"), "f").build();
        assertTrue(set.leaveOnTerminate());
        assertFalse(ConfigKeys.skipLeaveOnInterrupt(set));
    }

    @Test
    void badSkipLeaveOnInterruptNamesKeyFileAndLine() throws Exception {
        ConfigException e = failsFrom("s.hcl", "dev = true\n\nskip_leave_on_interrupt = \"sometimes\"\n");
        assertTrue(e.getMessage().contains("'skip_leave_on_interrupt' must be true or false"), e.getMessage());
        assertTrue(e.getMessage().contains("s.hcl, line 3)"), e.getMessage());
        ConfigException t = failsFrom("t.json", "{\"dev\": true,\n\"leave_on_terminate\": 1}");
        assertTrue(t.getMessage().contains("'leave_on_terminate' must be true or false"), t.getMessage());
        assertTrue(t.getMessage().contains("t.json, line 2)"), t.getMessage());
    }

    @Test
    void responseHeadersAreKeptByName() throws Exception {
        Path f = file("h.hcl", "dev = true\nhttp_config {\n  response_headers {\n    \"Access-Control-Allow-Origin\" = \"*\"\n"
                + "    X-Frame-Options = \"DENY\"\n  }\n}\n");
        AgentConfig c = new ConfigLoader().addPath(f).build();
        assertEquals(Map.of("Access-Control-Allow-Origin", "*", "X-Frame-Options", "DENY"),
                ConfigKeys.responseHeaders(c.pluginConfig()));
        assertEquals(Map.of(), ConfigKeys.responseHeaders(dev("").pluginConfig()));
    }

    @Test
    void badResponseHeadersNameKeyFileAndLine() throws Exception {
        ConfigException name = failsFrom("h1.json", "{\"dev\": true,\n\"http_config\": {\n\"response_headers\": "
                + "{\"Bad Name\": \"x\"}}}");
        assertTrue(name.getMessage().startsWith("http_config.response_headers: 'Bad Name' is not a header name"),
                name.getMessage());
        assertTrue(name.getMessage().contains("h1.json, line 3)"), name.getMessage());
        ConfigException value = failsFrom("h2.json", "{\"dev\": true, \"http_config\": {\"response_headers\": "
                + "{\"X-A\": \"a\\r\\nSet-Cookie: b\"}}}");
        assertTrue(value.getMessage().contains("control character"), value.getMessage());
        ConfigException other = failsFrom("h3.json", "{\"dev\": true, \"http_config\": {\"block_endpoints\": []}}");
        assertTrue(other.getMessage().contains("'http_config.block_endpoints' is not supported"), other.getMessage());
        StringBuilder many = new StringBuilder("{\"dev\": true, \"http_config\": {\"response_headers\": {");
        for (int i = 0; i <= ConfigKeys.MAX_RESPONSE_HEADERS; i++) {
            many.append(i == 0 ? "" : ", ").append("\"X-").append(i).append("\": \"v\"");
        }
        ConfigException tooMany = failsFrom("h4.json", many + "}}}");
        assertTrue(tooMany.getMessage().contains("at most " + ConfigKeys.MAX_RESPONSE_HEADERS), tooMany.getMessage());
    }
}
