package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consul's remaining agent keys with the real {@code bin/tribune} (loopback 127.0.40.0/24):
 * {@code addresses.*} bind each listener where it says and {@code client_addr} keeps the others;
 * {@code http_config.response_headers} reach every response; the node ID is kept in the data dir
 * across a restart under another node name, and {@code node_id} wins over it; and the stop signals
 * leave or not as Consul's {@code skip_leave_on_interrupt} and {@code leave_on_terminate} say, seen
 * from a server's member list.
 */
@Timeout(600)
class ConfigKeysIT {
    private static final String CLIENT_ADDR = "127.0.40.1";
    private static final String HTTP_ADDR = "127.0.40.2";
    private static final String DNS_ADDR = "127.0.40.3";
    private static final String SERVER = "127.0.40.10";
    private static final Duration LONG = Duration.ofSeconds(120);

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    @Test
    void addressesPerListenerResponseHeadersAndTheNodeIdKeptOverARestart(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectory(tmp.resolve("data"));
        int http = AgentProcess.freePort();
        int dns = AgentProcess.freePort();
        int grpc = AgentProcess.freePort();
        Path conf = tmp.resolve("keys.hcl");
        Files.writeString(conf, "client_addr = \"" + CLIENT_ADDR + "\"\n"
                + "addresses {\n  http = \"" + HTTP_ADDR + "\"\n  dns = \"" + DNS_ADDR + "\"\n}\n"
                + "ports {\n  http = " + http + "\n  dns = " + dns + "\n  grpc = " + grpc + "\n}\n"
                + "http_config {\n  response_headers {\n    X-Keys-It = \"yes\"\n  }\n}\n");
        String firstId;
        try (AgentProcess a = AgentProcess.startOn(HTTP_ADDR, http, List.of("agent", "-dev", "-node", "keys-a",
                "-bind", CLIENT_ADDR, "-data-dir", data.toString(), "-config-file", conf.toString()))) {
            a.awaitLeader(LONG);
            HttpResponse<String> self = a.get("/v1/agent/self");
            assertEquals("yes", self.headers().firstValue("X-Keys-It").orElse(null), "the configured header");
            firstId = nodeIdOf(a, "keys-a");
            assertEquals(firstId, Files.readString(data.resolve("node-id")).strip(), "the ID is kept in the data dir");
            assertEquals(firstId, JsonParser.parseString(self.body()).getAsJsonObject().getAsJsonObject("Config")
                    .get("NodeID").getAsString());
            // Each listener where addresses or client_addr puts it, and nowhere else.
            ClusterIT.assertRefused(CLIENT_ADDR, http);
            assertAccepts(DNS_ADDR, dns);
            ClusterIT.assertRefused(CLIENT_ADDR, dns);
            assertAccepts(CLIENT_ADDR, grpc);
            ClusterIT.assertRefused(HTTP_ADDR, grpc);
            assertEquals(0, a.terminate(LONG), a.output());
        }
        // Another node name on the same data dir: the kept ID stays (a derived one would change).
        try (AgentProcess b = AgentProcess.startOn(HTTP_ADDR, http, List.of("agent", "-dev", "-node", "keys-b",
                "-bind", CLIENT_ADDR, "-data-dir", data.toString(), "-config-file", conf.toString()))) {
            b.awaitLeader(LONG);
            assertEquals(firstId, nodeIdOf(b, "keys-b"), b.output());
            assertEquals(0, b.terminate(LONG), b.output());
        }
        // node_id wins over the file, and a bad one stops the agent with the key and file named.
        String configured = "3f2e8a51-7c1d-4e0b-9a6f-2b8c4d1e7f90";
        try (AgentProcess c = AgentProcess.startOn(HTTP_ADDR, http, List.of("agent", "-dev", "-node", "keys-b",
                "-bind", CLIENT_ADDR, "-data-dir", data.toString(), "-config-file", conf.toString(),
                "-node-id", configured))) {
            c.awaitLeader(LONG);
            assertEquals(configured, nodeIdOf(c, "keys-b"), c.output());
            assertEquals(0, c.terminate(LONG), c.output());
        }
        assertEquals(firstId, Files.readString(data.resolve("node-id")).strip(), "a configured ID is not written");
        Path bad = tmp.resolve("bad.hcl");
        Files.writeString(bad, "dev = true\n\nnode_id = \"not-a-uuid\"\n");
        AgentProcess.Result r = AgentProcess.run(List.of("agent", "-config-file", bad.toString()));
        assertEquals(2, r.exitCode(), r.output());
        assertTrue(r.output().contains("node_id: 'not-a-uuid' is not a UUID") && r.output().contains("bad.hcl, line 3"),
                r.output());
    }

    @Test
    void sigintLeavesOnAClientAndSigtermDoesNotWithoutLeaveOnTerminate() throws Exception {
        AgentProcess server = agents.start(SERVER, null, true, List.of("-bootstrap", "-serf-wan-port", "-1",
                "-dns-port", "-1", "-grpc-port", "-1"));
        server.awaitLeader(LONG);
        List<String> join = List.of("-retry-join", SERVER, "-dns-port", "-1", "-grpc-port", "-1");
        AgentProcess leaver = agents.start("127.0.40.11", null, false, join);
        AgentProcess stayer = agents.start("127.0.40.12", null, false, concat(join, List.of("-hcl",
                "leave_on_terminate = false")));
        String leaverName = AgentGroup.nodeName("127.0.40.11", null, false);
        String stayerName = AgentGroup.nodeName("127.0.40.12", null, false);
        assertTrue(server.waitFor(LONG, () -> status(server, leaverName) == 1 && status(server, stayerName) == 1),
                server.output());
        // The stop signals are trapped once the agent has logged what each does.
        for (AgentProcess p : List.of(server, leaver, stayer)) {
            assertTrue(p.waitFor(LONG, () -> p.output().contains("on SIGINT: ")), p.output());
        }
        assertTrue(stayer.output().contains("on SIGINT: graceful leave; on SIGTERM: stop without leaving"),
                stayer.output());
        assertTrue(server.output().contains("on SIGINT: stop without leaving; on SIGTERM: stop without leaving"),
                server.output());

        // A client's default: Ctrl-C leaves gracefully (skip_leave_on_interrupt is false).
        leaver.signal("INT");
        assertTrue(leaver.process.waitFor(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), leaver.output());
        assertEquals(0, leaver.process.exitValue(), leaver.output());
        assertTrue(leaver.output().contains("caught SIGINT: graceful leave"), leaver.output());
        assertTrue(server.waitFor(LONG, () -> status(server, leaverName) == 3), "left: " + members(server));

        // leave_on_terminate = false: SIGTERM stops without a leave, so the server sees a failure.
        stayer.signal("TERM");
        assertTrue(stayer.process.waitFor(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), stayer.output());
        assertTrue(stayer.output().contains("caught SIGTERM: stopping without leaving (leave_on_terminate is false)"),
                stayer.output());
        assertTrue(server.waitFor(LONG, () -> status(server, stayerName) == 4), "failed: " + members(server));

        // A server's default: Ctrl-C does not leave (skip_leave_on_interrupt is true).
        server.signal("INT");
        assertTrue(server.process.waitFor(LONG.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), server.output());
        assertTrue(server.output().contains("caught SIGINT: stopping without leaving (skip_leave_on_interrupt is true)"),
                server.output());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** The catalog's ID of {@code node}, waited for (anti-entropy writes it). */
    private static String nodeIdOf(AgentProcess a, String node) throws Exception {
        String[] id = new String[1];
        assertTrue(a.waitFor(LONG, () -> {
            try {
                HttpResponse<String> r = a.get("/v1/catalog/node/" + node);
                if (r.statusCode() != 200 || r.body().equals("null")) {
                    return false;
                }
                id[0] = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("Node").get("ID")
                        .getAsString();
                return true;
            } catch (Exception e) {
                return false;
            }
        }), a.output());
        assertNotEquals("", id[0]);
        return id[0];
    }

    /** The serf status of {@code name} in {@code a}'s member list (1 alive, 3 left, 4 failed), or -1. */
    private static int status(AgentProcess a, String name) {
        try {
            for (JsonElement m : JsonParser.parseString(members(a)).getAsJsonArray()) {
                JsonObject o = m.getAsJsonObject();
                if (o.get("Name").getAsString().equals(name)) {
                    return o.get("Status").getAsInt();
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    private static String members(AgentProcess a) {
        try {
            return a.get("/v1/agent/members").body();
        } catch (Exception e) {
            return "[]";
        }
    }

    private static void assertAccepts(String ip, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 5000);
        }
    }
}
