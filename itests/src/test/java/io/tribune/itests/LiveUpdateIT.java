package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
import static io.tribune.itests.AgentGroup.await;
import static io.tribune.itests.LiveUpdates.LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live update of a plugin (issue 18): three servers as real processes (Felix runtime, RocksDB,
 * gRPC transport, SWIM, Raft) on 127.0.33.2-4; a writer puts keys through the HTTP API of every
 * server in turn, retrying each failed write until it is acknowledged (the retries are counted);
 * meanwhile {@code tribune plugins update transport-grpc JAR} replaces the transport of one server
 * with a rebuilt jar (the shipped jar with another {@code Bundle-Version}). Then {@code tribune
 * plugins} on that server reports the new bundle, and every server holds every acknowledged key.
 * Prints {@code live-update plugin=transport-grpc writes=N lost=0 retried=R}.
 */
@Timeout(600)
class LiveUpdateIT {
    static final List<String> SERVERS = List.of("127.0.33.2", "127.0.33.3", "127.0.33.4");
    static final String NEW_VERSION = "0.1.0.live1";

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    @Test
    void transportReplacedUnderWritesLosesNoAcknowledgedWrite(@TempDir Path tmp) throws Exception {
        Path jar = LiveUpdates.rebuiltJar(tmp, "transport-grpc", NEW_VERSION);
        List<AgentProcess> servers = new ArrayList<>();
        for (String ip : SERVERS) {
            servers.add(agents.start(ip, null, true, List.of("-bootstrap-expect", "3", "-retry-join", SERVERS.get(0),
                    "-runtime", "felix", "-grpc-port", "-1", "-dns-port", "-1")));
        }
        AgentGroup.awaitLeaders(LONG, servers.toArray(AgentProcess[]::new));
        for (AgentProcess s : servers) {
            await(s, LONG, () -> aliveMembers(s, false) == 3, () -> "3 members never alive:\n" + s.output());
        }
        AgentProcess target = servers.get(1);
        JsonObject before = LiveUpdates.running(target, "transport");
        assertEquals("transport-grpc", before.get("Name").getAsString(), before.toString());

        LiveUpdates.Writes w = LiveUpdates.updateUnderWrites(servers, target, SERVERS.get(1), "transport-grpc", jar,
                NEW_VERSION, null);
        LiveUpdates.assertRunsNewBundle(target, SERVERS.get(1), "transport-grpc", "transport", jar, NEW_VERSION, before);

        // Every acknowledged write is on every server (stale reads: each server's own replica).
        StringBuilder where = new StringBuilder();
        long lost = LiveUpdates.lostWrites(servers, SERVERS, w.acked(), where);
        System.out.println("live-update plugin=transport-grpc writes=" + w.acked().size() + " lost=" + lost
                + " retried=" + w.retried());
        assertEquals(0, lost, () -> "acknowledged writes lost (updated server " + SERVERS.get(1) + "):\n" + where
                + "\nupdated server's output:\n" + target.output());
        for (AgentProcess s : servers) {
            await(s, LONG, () -> aliveMembers(s, false) == 3, () -> "a member did not stay alive:\n" + s.output());
        }
    }
}
