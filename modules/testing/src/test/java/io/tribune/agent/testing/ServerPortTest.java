package io.tribune.agent.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.api.PluginConfig;
import io.tribune.api.transport.Endpoint;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportSetup;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a program that is not an agent can reach on the RPC ports, over the real gRPC transport on
 * 127.0.0.1: on a server, only the operations that travel between agents (never the HTTP tunnel of
 * old, the keyring call of old, or an agent operation such as its services or {@code self}); on a
 * client agent, nothing: its configured server port is closed.
 */
@Timeout(120)
class ServerPortTest {
    private static final Duration CALL = Duration.ofSeconds(10);
    private final List<Agent> agents = new ArrayList<>();
    private final RealScheduler scheduler = new RealScheduler("server-port-test");
    private Transport outsider;

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        if (outsider != null) {
            outsider.close();
        }
        agents.forEach(a -> a.shutdown(false));
        scheduler.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private Agent start(String node, boolean server, int rpcPort) {
        String json = "{\"node_name\": \"" + node + "\", \"server\": " + server + ", \"bootstrap\": " + server
                + ", \"data_dir\": \"" + dir.resolve(node).toString().replace("\\", "/") + "\","
                + " \"bind_addr\": \"127.0.0.1\", \"advertise_addr\": \"127.0.0.1\","
                + " \"ports\": {\"http\": -1, \"server\": " + rpcPort + ", \"serf_lan\": 0, \"serf_wan\": -1,"
                + " \"grpc\": -1, \"dns\": -1},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"raft\","
                + " \"transport\": \"transport-grpc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"gossip-swim.profile\": \"local\"}}";
        AgentConfig cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
        Agent a = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load()),
                "embedded");
        agents.add(a);
        return a;
    }

    /** A program with the transport library and no agent around it: it only calls. */
    private Transport outsider() {
        outsider = TestCluster.transportFactory("transport-grpc").create(
                TransportSetup.callOnly(new Endpoint("127.0.0.1", 0), TransportSetup.DEFAULT_MAX_MESSAGE_BYTES,
                        Optional.empty()), PluginConfig.of(Map.of()),
                TestContext.builder("outsider").clock(scheduler).scheduler(scheduler).build());
        outsider.start();
        return outsider;
    }

    private static TransportException.Code failure(Transport t, Endpoint at, String method, byte[] body) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> t.call(at, method, body, CALL).get(20, TimeUnit.SECONDS), method + " answered");
        TransportException te = assertInstanceOf(e.getCause());
        return te.code();
    }

    private static TransportException assertInstanceOf(Throwable t) {
        assertTrue(t instanceof TransportException, String.valueOf(t));
        return (TransportException) t;
    }

    @Test
    void aServerAnswersOnlyTheOperationsBetweenAgentsAndAClientListensOnNoPort() throws Exception {
        int serverPort = freePort();
        int clientPort = freePort();
        Agent server = start("sp-s1", true, serverPort);
        Agent client = start("sp-c1", false, clientPort);
        client.membership().join(List.of("127.0.0.1:" + server.membership().localMember().port()))
                .get(20, TimeUnit.SECONDS);
        assertTrue(TestCluster.waitFor(() -> client.serverList().size() == 1), "the client never found the server");
        // The client's requests reach the server through its call-only transport.
        assertTrue(client.requests().call(new Kv.Set("sp/k", "v".getBytes(StandardCharsets.UTF_8), 0,
                java.util.OptionalLong.empty())).get(20, TimeUnit.SECONDS).value());

        Transport t = outsider();
        Endpoint s = new Endpoint("127.0.0.1", serverPort);
        byte[] junk = "GET /v1/agent/self HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // No HTTP route, no keyring call, no agent operation: there is nothing by those names.
        for (String method : List.of("tribune.rpc.http", "tribune.rpc.keyring", "tribune.rpc.apply",
                new AgentOps.Self().opName(), Op.nameOf(AgentOps.Services.class), Op.nameOf(AgentOps.Leave.class),
                Op.nameOf(AgentOps.RegisterService.class))) {
            assertEquals(TransportException.Code.NO_HANDLER, failure(t, s, method, junk), method);
        }
        // A defined operation is reachable, and a malformed call to it is answered (by a refusal in
        // the reply, not a transport failure) and changes nothing.
        for (String method : List.of(Op.nameOf(Kv.Get.class), Op.nameOf(Catalog.Register.class))) {
            byte[] reply = t.call(s, method, junk, CALL).get(20, TimeUnit.SECONDS);
            assertTrue(reply.length > 0, method);
        }
        assertTrue(client.requests().call(new Catalog.Nodes(Map.of())).get(20, TimeUnit.SECONDS).value().stream()
                .noneMatch(n -> n.node().contains("GET")), "the junk registered nothing");

        // The client agent's configured server port is closed: no socket, and a call finds nothing.
        try (Socket sock = new Socket()) {
            assertThrows(ConnectException.class, () -> sock.connect(new InetSocketAddress("127.0.0.1", clientPort),
                    5000), "something listens on the client agent's port " + clientPort);
        }
        assertEquals(TransportException.Code.UNAVAILABLE,
                failure(t, new Endpoint("127.0.0.1", clientPort), Op.nameOf(Kv.Get.class), junk));
        // And it advertises none: only servers carry the port tag.
        assertEquals(null, client.membership().localMember().tag("port"));
        assertEquals(Integer.toString(serverPort), server.membership().localMember().tag("port"));
    }
}
