package io.tribune.dns;

import io.tribune.testkit.Poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The DNS interface of a client agent: a server (consensus-single) and a client agent find each
 * other through gossip-swim on 127.0.0.1; the client's DNS answers come from the server's catalog
 * through request forwarding, and turn to SERVFAIL once the server is gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DnsClientForwardingTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static Agent server;
    private static Agent client;
    private static int clientDns;
    @TempDir
    static Path dirs;

    @BeforeAll
    static void start() throws Exception {
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DnsClientForwardingTest.class.getClassLoader())
                .load());
        server = Agent.start(config("dns-s1", true), registry, "embedded");
        assertTrue(waitFor(() -> server.consensus().orElseThrow().isLeader()), "the server never led");
        client = Agent.start(config("dns-c1", false), registry, "embedded");
        client.membership().join(List.of("127.0.0.1:" + server.membership().localMember().port()))
                .get(10, TimeUnit.SECONDS);
        assertTrue(waitFor(() -> client.serverList().size() == 1), "the client did not find the server");
        clientDns = DnsService.address(client).orElseThrow().getPort();
        register("web1", "10.0.0.1", NodeService.of("web", "web", 80), HealthStatus.PASSING);
        register("web2", "10.0.0.2", NodeService.of("web", "web", 81), HealthStatus.WARNING);
        register("web3", "10.0.0.3", NodeService.of("web", "web", 82), HealthStatus.CRITICAL);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.shutdown(false);
        }
        if (server != null) {
            server.shutdown(false);
        }
    }

    private static AgentConfig config(String node, boolean isServer) {
        String json = "{\"node_name\": \"" + node + "\", \"datacenter\": \"dc1\", \"server\": " + isServer
                + ", \"bootstrap\": " + isServer + ", \"data_dir\": \"" + dirs.resolve(node).toString().replace("\\", "/")
                + "\", \"bind_addr\": \"127.0.0.1\", \"advertise_addr\": \"127.0.0.1\", \"client_addr\": \"127.0.0.1\","
                + " \"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": " + (isServer ? -1 : 0)
                + ", \"server\": 0, \"serf_lan\": 0, \"serf_wan\": 0},"
                + " \"plugins\": {\"storage\": \"storage-memory\", \"consensus\": \"consensus-single\","
                + " \"transport\": \"transport-inproc\", \"membership\": \"gossip-swim\"},"
                + " \"plugin_config\": {\"transport-inproc.hub\": \"dns-forwarding-test\", \"gossip-swim.profile\": \"local\"},"
                + " \"performance\": {\"rpc_hold_timeout\": \"1s\"}}";
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), node).build();
    }

    private static void register(String node, String address, NodeService svc, HealthStatus status) throws Exception {
        Command cmd = new Command.Register(Node.of(node, address), Optional.of(svc),
                List.of(HealthCheck.of(node, "service:" + svc.id(), status, svc.id())), 0);
        byte[] res = server.consensus().orElseThrow().apply(cmd.encode(), Duration.ofSeconds(10))
                .get(20, TimeUnit.SECONDS).result();
        assertInstanceOf(CommandResult.Done.class, CommandResult.decode(res));
    }

    private static Message ask(String name, int type) throws Exception {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(clientDns);
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    private static Set<String> addresses(Message m) {
        Set<String> out = new TreeSet<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    @Test
    void clientAgentAnswersFromTheServersCatalogThenServfailsWithoutServer() throws Exception {
        Message a = ask("web.service.consul.", Type.A);
        assertEquals(Rcode.NOERROR, a.getRcode(), a.toString());
        // Critical instances are left out, as on a server.
        assertEquals(Set.of("10.0.0.1", "10.0.0.2"), addresses(a));

        Message srv = ask("web.service.consul.", Type.SRV);
        assertEquals(2, srv.getSection(Section.ANSWER).size(), srv.toString());
        assertTrue(srv.getSection(Section.ANSWER).stream().allMatch(r -> r instanceof SRVRecord s
                && (s.getPort() == 80 || s.getPort() == 81)), srv.toString());

        Message node = ask("web3.node.consul.", Type.A);
        assertEquals(Set.of("10.0.0.3"), addresses(node));
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.node.consul.", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("nosuch.service.consul.", Type.A).getRcode());

        server.shutdown(false);
        Message gone = ask("web.service.consul.", Type.A);
        assertEquals(Rcode.SERVFAIL, gone.getRcode(), gone.toString());
    }

    private static boolean waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        return Poll.until(LIMIT, cond);
    }
}
