package io.tribune.http;

import static io.tribune.http.Http.send;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.testkit.TestPki;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents talking over the gRPC transport with mutual TLS from Consul's config keys: a client
 * agent with a certificate of the cluster's CA forwards writes to the server; a client whose
 * certificate comes from another CA is refused and changes nothing.
 */
@Timeout(120)
class TlsForwardingTest {
    final List<Agent> agents = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        agents.forEach(a -> a.shutdown(false));
    }

    AgentConfig config(String node, boolean server, Path ca, TestPki.Leaf leaf) {
        String json = "{\"node_name\": \"" + node + "\", \"server\": " + server + ", \"bootstrap\": " + server
                + ", \"data_dir\": \"" + dir.resolve(node) + "\", \"bind_addr\": \"127.0.0.1\","
                + " \"advertise_addr\": \"127.0.0.1\","
                + " \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": -1, \"grpc\": -1, \"dns\": -1},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"raft\","
                + " \"transport\": \"transport-grpc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"gossip-swim.profile\": \"local\"},"
                + " \"performance\": {\"rpc_hold_timeout\": \"2s\"},"
                + " \"ca_file\": \"" + ca + "\", \"cert_file\": \"" + leaf.certFile() + "\", \"key_file\": \""
                + leaf.keyFile() + "\", \"verify_incoming\": true, \"verify_outgoing\": true,"
                + " \"verify_server_hostname\": true}";
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
    }

    Agent start(AgentConfig cfg) {
        PluginRegistry reg = PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load());
        Agent a = Agent.start(cfg, reg, "embedded");
        agents.add(a);
        return a;
    }

    @Test
    void clientWithTheClusterCaForwardsAndAForeignCertificateIsRefused() throws Exception {
        TestPki pki = new TestPki(java.nio.file.Files.createDirectories(dir.resolve("pki")), "cluster");
        TestPki rogue = new TestPki(java.nio.file.Files.createDirectories(dir.resolve("rogue")), "rogue");
        Agent server = start(config("s1", true, pki.caFile, pki.issue("server.dc1.consul", "server.dc1.consul",
                "localhost")));
        assertTrue(waitFor(() -> server.consensus().orElseThrow().isLeader()), "no leader");
        String seed = "127.0.0.1:" + server.membership().localMember().port();

        Agent client = start(config("c1", false, pki.caFile, pki.issue("client.dc1.consul")));
        client.membership().join(List.of(seed)).get(10, TimeUnit.SECONDS);
        assertTrue(waitFor(() -> client.serverList().size() == 1), "client learned no server");
        HttpResponse<String> put = send(client, "PUT", "/v1/kv/tls/k", "over-mtls");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals("true", put.body());
        assertEquals("over-mtls", send(server, "GET", "/v1/kv/tls/k?raw", null).body());

        // Trusts the cluster's CA (so it can check the server) but holds a certificate of another CA.
        Agent intruder = start(config("x1", false, pki.caFile, rogue.issue("client.dc1.consul")));
        intruder.membership().join(List.of(seed)).get(10, TimeUnit.SECONDS);
        assertTrue(waitFor(() -> intruder.serverList().size() == 1), "intruder learned no server");
        HttpResponse<String> refused = send(intruder, "PUT", "/v1/kv/tls/k", "stolen");
        assertNotEquals(200, refused.statusCode(), refused.body());
        assertEquals("over-mtls", send(server, "GET", "/v1/kv/tls/k?raw", null).body());
    }
}
