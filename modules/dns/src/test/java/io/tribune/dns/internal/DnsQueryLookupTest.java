package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** {@code <query>.query[.<dc>].<domain>}: prepared queries answered over DNS, with their TTL and datacenter. */
class DnsQueryLookupTest {
    private static final Recursor NO_RECURSORS = new Recursor(List.of(), Duration.ofSeconds(1), new Random(1));
    private final List<String> asked = new ArrayList<>();

    private static ServiceHealth instance(String node, String addr, int port) {
        return new ServiceHealth(Node.of(node, addr), NodeService.of("web", "web", port),
                List.of(HealthCheck.of(node, "c", HealthStatus.PASSING, "web")));
    }

    /** Knows query "web" (TTL 7 s, answered by dc2 after a failover), "bare" (no TTL) and "empty" (no instance). */
    private final DnsCatalog catalog = new DnsCatalog() {
        @Override
        public Optional<Node> node(String name) {
            return Optional.empty();
        }

        @Override
        public List<ServiceHealth> serviceHealth(String service, String tag) {
            return List.of();
        }

        @Override
        public Optional<QueryAnswer> preparedQuery(String idOrName, String datacenter) {
            asked.add(idOrName + "@" + datacenter);
            return switch (idOrName) {
                case "web", "geo.web" -> Optional.of(new QueryAnswer(List.of(instance("w2", "10.2.0.2", 81),
                        instance("w1", "10.2.0.1", 80)), Optional.of(Duration.ofSeconds(7)), "dc2"));
                case "bare" -> Optional.of(new QueryAnswer(List.of(instance("b1", "10.0.0.9", 90)), Optional.empty(),
                        "dc1"));
                case "empty" -> Optional.of(new QueryAnswer(List.of(), Optional.empty(), "dc1"));
                default -> Optional.empty();
            };
        }
    };

    private Message ask(String name, int type) throws Exception {
        DnsResolver r = new DnsResolver(DnsSettings.DEFAULT.withTtls(Duration.ofSeconds(30), Duration.ofSeconds(60)),
                "dc1", catalog, NO_RECURSORS, new Random(3), () -> 1_700_000_000_000L);
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
        return new Message(r.handle(q, false).orElseThrow());
    }

    @Test
    void addressesInTheQuerysOrderWithItsTtl() throws Exception {
        List<Record> a = ask("web.query.consul.", Type.A).getSection(Section.ANSWER);
        assertEquals(List.of("10.2.0.2", "10.2.0.1"), a.stream().map(r -> ((ARecord) r).getAddress().getHostAddress())
                .toList(), "not shuffled again: the query ordered them");
        assertEquals(7, a.get(0).getTTL());
        assertEquals(60, ask("bare.query.consul.", Type.A).getSection(Section.ANSWER).get(0).getTTL(),
                "no DNS.TTL: the agent's service TTL");
    }

    @Test
    void srvTargetsNameTheDatacenterThatAnswered() throws Exception {
        Message m = ask("web.query.consul.", Type.SRV);
        SRVRecord srv = (SRVRecord) m.getSection(Section.ANSWER).get(0);
        assertEquals("w2.node.dc2.consul.", srv.getTarget().toString());
        assertEquals(81, srv.getPort());
        assertEquals(7, srv.getTTL());
        assertEquals(2, m.getSection(Section.ADDITIONAL).size());
    }

    @Test
    void datacenterLabelsAndDottedNamesReachTheCatalog() throws Exception {
        assertEquals(Rcode.NOERROR, ask("web.query.dc2.consul.", Type.A).getRcode());
        assertEquals(Rcode.NOERROR, ask("geo.web.query.consul.", Type.A).getRcode());
        assertEquals(List.of("web@dc2", "geo.web@"), asked);
    }

    @Test
    void unknownQueriesAndQueriesWithoutInstancesAreNxdomain() throws Exception {
        assertEquals(Rcode.NXDOMAIN, ask("nope.query.consul.", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("empty.query.consul.", Type.A).getRcode());
        assertEquals(Rcode.NXDOMAIN, ask("query.consul.", Type.A).getRcode());
    }
}
