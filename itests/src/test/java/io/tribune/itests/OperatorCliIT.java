package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator CLI against a dev agent process: {@code operator raft list-peers|remove-peer},
 * {@code snapshot save|restore} and {@code keyring}, with their output and exit codes (0 success,
 * 1 an error from the agent, 2 bad usage).
 */
@Timeout(240)
class OperatorCliIT {
    @TempDir
    Path dir;

    /** {@code bin/tribune <command words...> -http-addr 127.0.0.1:port <rest...>}. */
    static AgentProcess.Result cli(int port, int commandWords, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add(commandWords, "-http-addr");
        a.add(commandWords + 1, "127.0.0.1:" + port);
        return AgentProcess.run(a);
    }

    @Test
    void raftPeersSnapshotsAndKeyringThroughTheCli() throws Exception {
        int port = AgentProcess.freePort();
        try (AgentProcess agent = AgentProcess.start(port, List.of("agent", "-dev", "-node", "op-node",
                "-http-port", Integer.toString(port), "-grpc-port", "-1", "-dns-port", "-1"))) {
            agent.awaitLeader(Duration.ofSeconds(60));

            AgentProcess.Result peers = cli(port, 3, "operator", "raft", "list-peers");
            assertEquals(0, peers.exitCode(), peers.output());
            List<String> lines = peers.output().lines().filter(l -> !l.isBlank()).toList();
            assertTrue(lines.get(0).matches("Node\\s+ID\\s+Address\\s+State\\s+Voter\\s+RaftProtocol"), peers.output());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("op-node ") && l.contains("leader")
                    && l.contains("true") && l.endsWith("3")), peers.output());

            AgentProcess.Result badRemove = cli(port, 3, "operator", "raft", "remove-peer", "-id", "no-such-server");
            assertEquals(1, badRemove.exitCode(), badRemove.output());
            assertTrue(badRemove.output().contains("not found"), badRemove.output());
            assertEquals(2, cli(port, 3, "operator", "raft", "remove-peer").exitCode());
            assertEquals(2, AgentProcess.run(List.of("operator", "raft", "no-such-command")).exitCode());

            // Save, change, restore: the saved value comes back.
            assertEquals(0, cli(port, 2, "kv", "put", "op/key", "before").exitCode());
            Path snap = dir.resolve("state.snap");
            AgentProcess.Result save = cli(port, 2, "snapshot", "save", snap.toString());
            assertEquals(0, save.exitCode(), save.output());
            assertTrue(save.output().contains("Saved and verified snapshot to index"), save.output());
            assertTrue(Files.size(snap) > 0);
            assertEquals(0, cli(port, 2, "kv", "put", "op/key", "after").exitCode());
            AgentProcess.Result restore = cli(port, 2, "snapshot", "restore", snap.toString());
            assertEquals(0, restore.exitCode(), restore.output());
            assertEquals("before", cli(port, 2, "kv", "get", "op/key").output().strip());

            // A corrupted file is refused (exit 1) and changes nothing.
            byte[] bytes = Files.readAllBytes(snap);
            bytes[bytes.length / 2] ^= 0x33;
            Path bad = dir.resolve("bad.snap");
            Files.write(bad, bytes);
            assertEquals(0, cli(port, 2, "kv", "put", "op/key", "live").exitCode());
            AgentProcess.Result refused = cli(port, 2, "snapshot", "restore", bad.toString());
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("400"), refused.output());
            assertEquals("live", cli(port, 2, "kv", "get", "op/key").output().strip());
            assertEquals(1, cli(port, 2, "snapshot", "restore", dir.resolve("missing.snap").toString()).exitCode());

            // -dev gossips with membership-static, which has no keyring: a clear error, exit 1.
            AgentProcess.Result keys = cli(port, 1, "keyring", "-list");
            assertEquals(1, keys.exitCode(), keys.output());
            assertTrue(keys.output().contains("no keyring"), keys.output());
            assertEquals(2, cli(port, 1, "keyring").exitCode());
            assertEquals(2, cli(port, 1, "keyring", "-list", "-use", "abc").exitCode());

            assertEquals(1, AgentProcess.run(List.of("operator", "raft", "list-peers", "-http-addr", "127.0.0.1:1"))
                    .exitCode());
        }
    }
}
