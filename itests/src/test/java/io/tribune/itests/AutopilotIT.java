package io.tribune.itests;

import static io.tribune.itests.AgentGroup.awaitLeaders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Autopilot on three real server processes on 127.0.37.0/24: {@code operator autopilot set-config
 * -cleanup-dead-servers=false} through the CLI is seen by every server; health shows three healthy
 * servers and FailureTolerance 1; after SIGKILL of a follower, health marks it unhealthy (429,
 * FailureTolerance 0) within 30 s, and it stays in {@code operator raft list-peers} past the
 * leader's dead-server timeout (30 s) because cleanup is off.
 */
@Timeout(240)
class AutopilotIT {
    static final String NET = "127.0.37.";
    static final Duration LONG = Duration.ofSeconds(60);

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    static AgentProcess.Result cli(String ip, String... words) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of(words));
        a.add("-http-addr");
        a.add(ip + ":8500");
        return AgentProcess.run(a);
    }

    static JsonObject health(AgentProcess a) {
        try {
            HttpResponse<String> r = a.get("/v1/operator/autopilot/health");
            if (r.statusCode() != 200 && r.statusCode() != 429) {
                return null;
            }
            JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
            o.addProperty("status", r.statusCode());
            return o;
        } catch (Exception e) {
            return null;
        }
    }

    static JsonObject server(JsonObject health, String name) {
        for (JsonElement e : health.getAsJsonArray("Servers")) {
            if (e.getAsJsonObject().get("Name").getAsString().equals(name)) {
                return e.getAsJsonObject();
            }
        }
        return null;
    }

    @Test
    void healthTracksAKilledFollowerAndCleanupOffKeepsItAsPeer() throws Exception {
        AgentProcess[] s = new AgentProcess[3];
        for (int i = 0; i < 3; i++) {
            s[i] = agents.start(NET + (i + 1), null, true, List.of("-bootstrap-expect", "3", "-retry-join", NET + "1"));
        }
        awaitLeaders(LONG, s);

        AgentProcess.Result set = cli(NET + "2", "operator", "autopilot", "set-config", "-cleanup-dead-servers=false",
                "-last-contact-threshold=500ms");
        assertEquals(0, set.exitCode(), set.output());
        assertTrue(set.output().contains("Configuration updated!"), set.output());
        AgentProcess.Result got = cli(NET + "3", "operator", "autopilot", "get-config");
        assertEquals(0, got.exitCode(), got.output());
        assertTrue(got.output().contains("CleanupDeadServers = false"), got.output());
        assertTrue(got.output().contains("LastContactThreshold = 500ms"), got.output());

        JsonObject[] h = new JsonObject[1];
        assertTrue(s[0].waitFor(LONG, () -> {
            h[0] = health(s[0]);
            return h[0] != null && h[0].get("Healthy").getAsBoolean() && h[0].getAsJsonArray("Servers").size() == 3;
        }), "never healthy: " + h[0]);
        assertEquals(200, h[0].get("status").getAsInt());
        assertEquals(1, h[0].get("FailureTolerance").getAsInt(), h[0].toString());
        String leaderName = null;
        for (JsonElement e : h[0].getAsJsonArray("Servers")) {
            JsonObject o = e.getAsJsonObject();
            assertTrue(o.get("Healthy").getAsBoolean() && o.get("Voter").getAsBoolean(), o.toString());
            assertEquals("alive", o.get("SerfStatus").getAsString());
            if (o.get("Leader").getAsBoolean()) {
                leaderName = o.get("Name").getAsString();
            }
        }
        String leader = leaderName;
        int victim = 0;
        while (AgentGroup.nodeName(NET + (victim + 1), null, true).equals(leader)) {
            victim++;
        }
        String victimName = AgentGroup.nodeName(NET + (victim + 1), null, true);
        int askerIndex = (victim + 1) % 3;
        AgentProcess asker = s[askerIndex];
        s[victim].kill();

        assertTrue(asker.waitFor(Duration.ofSeconds(30), () -> {
            h[0] = health(asker);
            JsonObject v = h[0] == null ? null : server(h[0], victimName);
            return v != null && !v.get("Healthy").getAsBoolean() && h[0].get("FailureTolerance").getAsInt() == 0;
        }), "the killed follower " + victimName + " was not marked unhealthy: " + h[0]);
        assertEquals(429, h[0].get("status").getAsInt());
        assertEquals(false, h[0].get("Healthy").getAsBoolean());

        // Past the leader's dead-server timeout (30 s after gossip declared it failed), it is still a peer.
        Thread.sleep(40_000);
        AgentProcess.Result peers = cli(NET + (askerIndex + 1), "operator", "raft", "list-peers");
        assertEquals(0, peers.exitCode(), peers.output());
        assertTrue(peers.output().contains(victimName), peers.output());
    }
}
