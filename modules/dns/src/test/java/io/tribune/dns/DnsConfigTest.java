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
import io.tribune.agent.AgentContext;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.ReadConsistency;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
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
        // The DNS interface started by hand on the agent's own context, with its request layer
        // observed: what each lookup asks of it.
        List<Options> asked = new CopyOnWriteArrayList<>();
        AgentContext real = agent.context();
        Requests observed = new Requests() {
            @Override
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
                asked.add(options);
                return real.requests().call(op, options);
            }
        };
        DnsService dns = new DnsService();
        try {
            dns.start(new AgentContext() {
                @Override
                public AgentConfig config() {
                    return real.config();
                }

                @Override
                public Requests requests() {
                    return observed;
                }

                @Override
                public Clock clock() {
                    return real.clock();
                }

                @Override
                public Scheduler scheduler() {
                    return real.scheduler();
                }

                @Override
                public Executor workers() {
                    return real.workers();
                }

                @Override
                public RandomGenerator random(String purpose) {
                    return real.random(purpose);
                }

                @Override
                public void closeOnShutdown(AutoCloseable c) {
                    real.closeOnShutdown(c);
                }

                @Override
                public Optional<InetSocketAddress> serviceAddress(String name) {
                    return real.serviceAddress(name);
                }
            });
            int port = dns.address().orElseThrow().getPort();
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Message m = ask(port, "dnsdms.node.consul.");
            while (m.getSection(Section.ANSWER).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(50); // the agent registers its own node in the catalog shortly after start
                m = ask(port, "dnsdms.node.consul.");
            }
            assertEquals(1, m.getSection(Section.ANSWER).size(), m.toString());
            assertEquals(Rcode.NXDOMAIN, ask(port, "no-such-node.node.consul.").getRcode());
            // Every lookup is a stale read bounded by discovery_max_stale: a server further behind
            // its leader than that has the leader answer (the request layer's rule, tested there).
            assertTrue(asked.size() >= 2, asked.toString());
            for (Options o : asked) {
                assertEquals(ReadConsistency.STALE, o.consistency(), o.toString());
                assertEquals(Duration.ofSeconds(5), o.maxStale(), o.toString());
            }
        } finally {
            dns.close();
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
