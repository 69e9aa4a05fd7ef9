package io.tribune.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.Options;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * DNS under ACLs ({@code default_policy = "deny"}): queries carry no token, so the agent's default
 * token decides what they see: a service its policy may read is answered, another is NXDOMAIN, as
 * Consul filters DNS answers by the agent's {@code acl.tokens.default}.
 */
@Timeout(60)
class DnsAclTest {
    private static final String ROOT = "dns-acl-root";
    private static final String DNS_TOKEN = "dns-acl-default-token";
    static Agent agent;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"dnsacl\", "
                + "\"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": 0, \"server\": 18491}, \"acl\": {\"enabled\": true,"
                + " \"default_policy\": \"deny\", \"tokens\": {\"master\": \"" + ROOT + "\", \"default\": \""
                + DNS_TOKEN + "\"}}}").getAsJsonObject(), "test").build();
        agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(DnsAclTest.class.getClassLoader())
                .load()), "embedded");
        port = DnsService.address(agent).orElseThrow().getPort();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!agent.consensus().orElseThrow().isLeader() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        register("web1", "10.0.0.1", "web");
        register("db1", "10.0.0.2", "db");
        Options root = Options.DEFAULT.withToken(ROOT);
        agent.requests().call(new Acl.PolicyWrite("", "dns", "", "service_prefix \"web\" { policy = \"read\" }\n"
                + "node_prefix \"\" { policy = \"read\" }", List.of()), root).get(30, TimeUnit.SECONDS);
        agent.requests().call(new Acl.TokenWrite("", DNS_TOKEN, "DNS", List.of(new Acl.PolicyLink("", "dns")), false),
                root).get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
        }
    }

    static void register(String node, String address, String service) throws Exception {
        NodeService svc = NodeService.of(service, service, 80);
        Command cmd = new Command.Register(Node.of(node, address), Optional.of(svc),
                List.of(HealthCheck.of(node, "service:" + service, HealthStatus.PASSING, service)), 0);
        byte[] res = agent.consensus().orElseThrow().apply(cmd.encode(), Duration.ofSeconds(10))
                .get(20, TimeUnit.SECONDS).result();
        assertInstanceOf(CommandResult.Done.class, CommandResult.decode(res));
    }

    static Message ask(String name) throws Exception {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(port);
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    }

    @Test
    void theDefaultTokenDecidesWhatDnsSees() throws Exception {
        Message web = ask("web.service.consul.");
        assertEquals(Rcode.NOERROR, web.getRcode());
        assertEquals(1, web.getSection(Section.ANSWER).size());
        Message db = ask("db.service.consul.");
        assertEquals(Rcode.NXDOMAIN, db.getRcode(), "a service the default token may not read is not there");
        // A new default token (PUT /v1/agent/token/default) applies at once.
        agent.requests().call(new Acl.SetAgentToken("default", ROOT), Options.DEFAULT.withToken(ROOT))
                .get(30, TimeUnit.SECONDS);
        assertTrue(ask("db.service.consul.").getSection(Section.ANSWER).size() == 1);
    }
}
