package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.config.WanSettings;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.api.membership.MemberStatus;
import io.tribune.testkit.Poll;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The WAN flags of {@code tribune agent}, and {@code join -wan}, {@code members -wan},
 * {@code catalog datacenters} and {@code force-leave -wan} against two in-process servers of two
 * datacenters (consensus-single over storage-memory, in-process transport, gossip-swim with local timing).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WanCommandsTest {
    private final List<Agent> agents = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        agents.forEach(a -> a.shutdown(false));
    }

    private Agent server(String node, String dc) {
        String json = "{\"node_name\": \"" + node + "\", \"datacenter\": \"" + dc + "\", \"server\": true,"
                + " \"bootstrap\": true, \"data_dir\": \"" + dir.resolve(node).toString().replace("\\", "/") + "\","
                + " \"bind_addr\": \"127.0.0.1\", \"advertise_addr\": \"127.0.0.1\","
                + " \"ports\": {\"http\": 0, \"server\": 0, \"serf_lan\": 0, \"serf_wan\": 0, \"dns\": -1, \"grpc\": -1},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"consensus-single\","
                + " \"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"wan-cli-test\", \"gossip-swim.profile\": \"local\"}}";
        var cfg = new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
        Agent a = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(getClass().getClassLoader()).load()),
                "embedded");
        agents.add(a);
        return a;
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run cli(Agent via, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of(args));
        all.add(args[0].equals("catalog") ? 2 : 1, "-http-addr");
        all.add(args[0].equals("catalog") ? 3 : 2, "127.0.0.1:" + via.httpAddress().orElseThrow().getPort());
        int exit = Main.execute(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void wanFlagsBecomeConsulsWanKeys() {
        AgentCommand cmd = new AgentCommand();
        new CommandLine(cmd).parseArgs("-server", "-data-dir", dir.toString(), "-join-wan", "10.0.0.1",
                "-retry-join-wan", "10.0.1.1:8302", "-retry-join-wan", "10.0.1.2", "-retry-interval-wan", "2s",
                "-retry-max-wan", "3");
        AgentConfig c = cmd.config();
        assertEquals(new WanSettings(List.of("10.0.0.1"), List.of("10.0.1.1:8302", "10.0.1.2"), Duration.ofSeconds(2),
                3), WanSettings.of(c));
    }

    @Test
    void joinMembersDatacentersAndForceLeaveOfTheWanPool() throws Exception {
        Agent one = server("wc-1", "dc1");
        Agent two = server("wc-2", "dc2");
        Run join = cli(two, "join", "-wan", "127.0.0.1:" + one.wanMembership().orElseThrow().localMember().port());
        assertEquals(0, join.exit(), join.err());
        assertTrue(join.out().contains("Successfully joined cluster by contacting 1 nodes."), join.out());
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> one.wanMembership().orElseThrow().members().stream()
                .filter(m -> m.status() == MemberStatus.ALIVE).count() == 2), "the WAN pool did not form");

        Run members = cli(one, "members", "-wan");
        assertEquals(0, members.exit(), members.err());
        assertTrue(members.out().contains("wc-1.dc1") && members.out().contains("wc-2.dc2"), members.out());
        assertTrue(members.out().lines().filter(l -> l.contains("wc-2.dc2")).allMatch(l -> l.contains("alive")
                && l.contains("server") && l.split("\\s+")[6].equals("dc2")), members.out());
        Run lan = cli(one, "members");
        assertTrue(!lan.out().contains("wc-2"), "the LAN pool stays per datacenter: " + lan.out());

        Run dcs = cli(two, "catalog", "datacenters");
        assertEquals(0, dcs.exit(), dcs.err());
        assertEquals(List.of("dc2", "dc1"), dcs.out().lines().toList());

        two.shutdown(false);
        Run forced = cli(one, "force-leave", "-wan", "wc-2.dc2");
        assertEquals(0, forced.exit(), forced.err());
        assertTrue(Poll.until(Duration.ofSeconds(30), () -> one.wanMembership().orElseThrow().members().stream()
                .anyMatch(m -> m.name().equals("wc-2.dc2") && m.status() == MemberStatus.LEFT)), "not left");
        assertEquals(List.of("dc1"), cli(one, "catalog", "datacenters").out().lines().toList());
        // As Consul 1.4.5: a name the pool does not know is a success that changes nothing.
        int before = one.wanMembership().orElseThrow().members().size();
        Run unknown = cli(one, "force-leave", "-wan", "nobody.dc9");
        assertEquals(0, unknown.exit(), unknown.err());
        assertEquals(before, one.wanMembership().orElseThrow().members().size());
    }
}
