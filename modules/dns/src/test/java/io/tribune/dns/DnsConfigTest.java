package io.tribune.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.dns.internal.ForwardingDnsCatalog;
import io.tribune.dns.internal.StaleBoundDnsCatalog;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Consul's DNS keys in the agent configuration reach the DNS interface. */
@Timeout(60)
class DnsConfigTest {

    static Message ask(int port, String name) throws Exception {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(port);
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    }

    @Test
    void domainAndTtlFromTheAgentConfigAreUsed() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"dnscfg\","
                + " \"domain\": \"example\", \"dns_config\": {\"node_ttl\": \"30s\"},"
                + " \"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": 0, \"server\": 18472}}").getAsJsonObject(), "test")
                .build();
        Agent agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(
                DnsConfigTest.class.getClassLoader()).load()), "embedded");
        try {
            int port = DnsService.address(agent).orElseThrow().getPort();
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Message m = ask(port, "dnscfg.node.example.");
            while (m.getSection(Section.ANSWER).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(50); // the agent registers its own node in the catalog shortly after start
                m = ask(port, "dnscfg.node.example.");
            }
            Record a = m.getSection(Section.ANSWER).get(0);
            assertTrue(a instanceof ARecord, a.toString());
            assertEquals(30, a.getTTL());
            assertEquals(Rcode.REFUSED, ask(port, "dnscfg.node.consul.").getRcode(), "the default domain is gone");
        } finally {
            agent.shutdown(false);
        }
    }

    @Test
    void discoveryMaxStaleBoundsTheServersLookups() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"dnsdms\","
                + " \"discovery_max_stale\": \"5s\","
                + " \"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": 0, \"server\": 18473}}").getAsJsonObject(), "test")
                .build();
        Agent agent = Agent.start(cfg, PluginRegistry.of(new ServiceLoaderPluginSource(
                DnsConfigTest.class.getClassLoader()).load()), "embedded");
        try {
            assertTrue(DnsService.catalog(agent) instanceof StaleBoundDnsCatalog,
                    "a server with discovery_max_stale decides per lookup");
            int port = DnsService.address(agent).orElseThrow().getPort();
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Message m = ask(port, "dnsdms.node.consul.");
            while (m.getSection(Section.ANSWER).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(50); // the agent registers its own node in the catalog shortly after start
                m = ask(port, "dnsdms.node.consul.");
            }
            assertEquals(1, m.getSection(Section.ANSWER).size(), m.toString());
            // The path a server takes when it is behind: its own routes with ?stale&max_stale, which
            // the leader (here the server itself) answers.
            var viaRoutes = new ForwardingDnsCatalog(agent::handleLocally, Duration.ofSeconds(3),
                    Optional.of(Duration.ofSeconds(5)));
            assertEquals("127.0.0.1", viaRoutes.node("dnsdms").orElseThrow().address());
            assertTrue(viaRoutes.node("no-such-node").isEmpty());
        } finally {
            agent.shutdown(false);
        }
    }

    @Test
    void badDnsKeysAreConfigErrors() {
        assertThrows(ConfigException.class, () -> new ConfigLoader().add(JsonParser.parseString(
                "{\"dev\": true, \"dns_config\": {\"node_ttl\": \"soon\"}}").getAsJsonObject(), "t").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader().add(JsonParser.parseString(
                "{\"dev\": true, \"dns_config\": {\"allow_everything\": true}}").getAsJsonObject(), "t").build());
        assertThrows(ConfigException.class, () -> new ConfigLoader().add(JsonParser.parseString(
                "{\"dev\": true, \"dns_config\": {\"only_passing\": \"maybe\"}}").getAsJsonObject(), "t").build());
    }
}
