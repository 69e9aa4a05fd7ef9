package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CLI commands against a dev agent process: output and exit codes a script can rely on. */
@Timeout(240)
class CliIT {

    static AgentProcess.Result cli(int port, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(1 < a.size() && (a.get(0).equals("kv") || a.get(0).equals("catalog")) ? 2 : 1, "-http-addr");
        a.add(1 < a.size() && (a.get(0).equals("kv") || a.get(0).equals("catalog")) ? 3 : 2, "127.0.0.1:" + port);
        return AgentProcess.run(a);
    }

    @Test
    void kvMembersCatalogAndLeaveThroughTheCli() throws Exception {
        int port = AgentProcess.freePort();
        try (AgentProcess agent = AgentProcess.start(port, List.of("agent", "-dev", "-node", "cli-node",
                "-http-port", Integer.toString(port), "-grpc-port", "-1", "-dns-port", "-1"))) {
            agent.awaitLeader(Duration.ofSeconds(60));
            AgentProcess.Result put = cli(port, "kv", "put", "app/config", "v1");
            assertEquals(0, put.exitCode(), put.output());
            assertTrue(put.output().contains("Success! Data written to: app/config"), put.output());
            AgentProcess.Result get = cli(port, "kv", "get", "app/config");
            assertEquals(0, get.exitCode(), get.output());
            assertEquals("v1", get.output().strip());

            AgentProcess.Result missing = cli(port, "kv", "get", "app/none");
            assertEquals(1, missing.exitCode(), missing.output());
            assertTrue(missing.output().contains("No key exists at: app/none"), missing.output());

            AgentProcess.Result cas = cli(port, "kv", "put", "-cas", "-modify-index", "123456", "app/config", "v2");
            assertEquals(1, cas.exitCode(), cas.output());
            assertEquals("v1", cli(port, "kv", "get", "app/config").output().strip());

            AgentProcess.Result members = cli(port, "members");
            assertEquals(0, members.exitCode(), members.output());
            assertTrue(members.output().lines().anyMatch(l -> l.startsWith("cli-node ") && l.contains("alive")
                    && l.contains("server")), members.output());

            AgentProcess.Result nodes = cli(port, "catalog", "nodes");
            assertEquals(0, nodes.exitCode(), nodes.output());
            assertTrue(nodes.output().contains("cli-node"), nodes.output());

            AgentProcess.Result del = cli(port, "kv", "delete", "-recurse", "app");
            assertEquals(0, del.exitCode(), del.output());
            assertEquals(1, cli(port, "kv", "get", "app/config").exitCode());

            assertEquals(2, AgentProcess.run(List.of("kv")).exitCode());
            assertEquals(1, AgentProcess.run(List.of("members", "-http-addr", "127.0.0.1:1")).exitCode());

            AgentProcess.Result leave = cli(port, "leave");
            assertEquals(0, leave.exitCode(), leave.output());
            assertTrue(agent.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), agent.output());
            assertEquals(0, agent.process.exitValue(), agent.output());
        }
    }
}
