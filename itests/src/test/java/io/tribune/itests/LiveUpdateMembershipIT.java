package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
import static io.tribune.itests.AgentGroup.await;
import static io.tribune.itests.LiveUpdates.LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live update of the membership plugin (issue 18): three servers and one client as real processes
 * (Felix runtime, RocksDB, gRPC transport, Raft, gossip-swim with its LAN preset) on 127.0.44.2-5.
 * A writer puts keys through the HTTP API of every server in turn, retrying each failed write until
 * it is acknowledged; a watcher polls every agent's member list and the catalog. Meanwhile
 * {@code tribune plugins update gossip-swim JAR} replaces gossip-swim on the leader (the server whose
 * reconciler would deregister any node its pool stopped listing) with a rebuilt jar (the shipped jar
 * with another {@code Bundle-Version}). Then: no agent ever saw a member other than alive, the
 * catalog kept every node with a passing serfHealth, the updated server reports the new bundle in
 * {@code tribune plugins} and {@code /v1/agent/self}, and every server holds every acknowledged key.
 * Prints {@code live-update plugin=gossip-swim writes=N lost=0 retried=R} and the gap the updated
 * server logged between closing the old instance and rejoining with the new one.
 */
@Timeout(600)
class LiveUpdateMembershipIT {
    static final List<String> SERVERS = List.of("127.0.44.2", "127.0.44.3", "127.0.44.4");
    static final String CLIENT = "127.0.44.5";
    static final String NEW_VERSION = "0.1.0.live1";

    @AutoClose
    final AgentGroup agents = new AgentGroup();


    /**
     * One observation of {@code a}: each member that is not alive ({@code name=status}), and each node
     * missing from the catalog or whose serfHealth is not passing; empty when all is well, null when
     * {@code a} did not answer (not a finding: a loaded machine may miss a poll).
     */
    static List<String> badNews(AgentProcess a, Set<String> nodes, boolean readCatalog) {
        String members = AgentGroup.body(a, "/v1/agent/members");
        if (members.isEmpty()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (JsonElement e : JsonParser.parseString(members).getAsJsonArray()) {
            JsonObject m = e.getAsJsonObject();
            seen.add(m.get("Name").getAsString());
            if (m.get("Status").getAsInt() != 1) {
                out.add("member " + m.get("Name").getAsString() + " status " + m.get("Status").getAsInt());
            }
        }
        if (!seen.containsAll(nodes)) {
            out.add("members " + seen + " lack some of " + nodes);
        }
        if (readCatalog) {
            String checks = AgentGroup.body(a, "/v1/health/state/any?stale");
            if (checks.isEmpty()) {
                return out.isEmpty() ? null : out;
            }
            Set<String> passing = new TreeSet<>();
            for (JsonElement e : JsonParser.parseString(checks).getAsJsonArray()) {
                JsonObject c = e.getAsJsonObject();
                if (c.get("CheckID").getAsString().equals("serfHealth")) {
                    if (c.get("Status").getAsString().equals("passing")) {
                        passing.add(c.get("Node").getAsString());
                    } else {
                        out.add("serfHealth of " + c.get("Node").getAsString() + " " + c.get("Status").getAsString());
                    }
                }
            }
            if (!passing.containsAll(nodes)) {
                out.add("catalog nodes with a passing serfHealth " + passing + " lack some of " + nodes);
            }
        }
        return out;
    }

    @Test
    void gossipReplacedOnTheLeaderUnderWritesLosesNoMemberAndNoAcknowledgedWrite(@TempDir Path tmp)
            throws Exception {
        Path jar = LiveUpdates.rebuiltJar(tmp, "gossip-swim", NEW_VERSION);
        List<AgentProcess> servers = new ArrayList<>();
        for (String ip : SERVERS) {
            servers.add(agents.start(ip, null, true, List.of("-bootstrap-expect", "3", "-retry-join", SERVERS.get(0),
                    "-runtime", "felix", "-grpc-port", "-1", "-dns-port", "-1")));
        }
        AgentProcess client = agents.start(CLIENT, null, false, List.of("-retry-join", SERVERS.get(0),
                "-runtime", "felix", "-grpc-port", "-1", "-dns-port", "-1"));
        List<AgentProcess> all = new ArrayList<>(servers);
        all.add(client);
        AgentGroup.awaitLeaders(LONG, servers.toArray(AgentProcess[]::new));
        Set<String> nodes = new TreeSet<>(agents.byName().keySet());
        for (AgentProcess a : all) {
            await(a, LONG, () -> aliveMembers(a, false) == 4, () -> "4 members never alive:\n" + a.output());
            await(a, LONG, () -> {
                List<String> bad = badNews(a, nodes, true);
                return bad != null && bad.isEmpty();
            }, () -> "the catalog never showed every node passing: " + badNews(a, nodes, true));
        }
        String leaderAddr = JsonParser.parseString(AgentGroup.body(servers.get(0), "/v1/status/leader")).getAsString();
        int t = SERVERS.indexOf(leaderAddr.substring(0, leaderAddr.lastIndexOf(':')));
        assertTrue(t >= 0, "leader " + leaderAddr);
        AgentProcess target = servers.get(t);
        JsonObject before = LiveUpdates.running(target, "membership");
        assertEquals("gossip-swim", before.get("Name").getAsString(), before.toString());

        // Every agent's member list, and the catalog as each server's replica holds it, about every 100 ms
        // while the writes and the update go on.
        List<String> findings = new CopyOnWriteArrayList<>();
        AtomicLong observations = new AtomicLong();
        Runnable poll = () -> {
            for (var e : agents.byName().entrySet()) {
                List<String> bad = badNews(e.getValue(), nodes, e.getValue() != client);
                if (bad != null) {
                    observations.incrementAndGet();
                    bad.forEach(b -> findings.add(e.getKey() + ": " + b));
                }
            }
        };
        LiveUpdates.Writes w = LiveUpdates.updateUnderWrites(servers, target, SERVERS.get(t), "gossip-swim", jar,
                NEW_VERSION, poll);
        LiveUpdates.assertRunsNewBundle(target, SERVERS.get(t), "gossip-swim", "membership", jar, NEW_VERSION, before);

        StringBuilder where = new StringBuilder();
        long lost = LiveUpdates.lostWrites(servers, SERVERS, w.acked(), where);
        Matcher gap = Pattern.compile("rejoined (\\d+) ms after the old instance closed").matcher(target.output());
        System.out.println("live-update plugin=gossip-swim writes=" + w.acked().size() + " lost=" + lost
                + " retried=" + w.retried() + " gap-ms=" + (gap.find() ? gap.group(1) : "?")
                + " observations=" + observations.get());
        assertEquals(0, lost, () -> "acknowledged writes lost (updated server " + SERVERS.get(t) + "):\n" + where
                + "\nupdated server's output:\n" + target.output());
        assertTrue(observations.get() > 0, "the watcher never got an answer");
        assertEquals(List.of(), findings, () -> "a member left or failed, or the catalog changed, during the update; "
                + "updated server's output:\n" + target.output());
        for (AgentProcess a : all) {
            await(a, LONG, () -> aliveMembers(a, false) == 4, () -> "a member did not stay alive:\n" + a.output());
        }
    }
}
