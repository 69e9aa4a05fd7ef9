package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.StateStore;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The resolver on a state store fed directly (no agent, no sockets). */
class DnsResolverTest {
    private static final Recursor NO_RECURSORS = new Recursor(List.of(), Duration.ofSeconds(1), new Random(1));
    private StateStore store;
    private long index;

    @BeforeEach
    void setUp() {
        store = new StateStore(Runnable::run);
        register("n1", "10.0.0.1", NodeService.of("api", "api", 8080), HealthStatus.PASSING);
        register("n2", "10.0.0.2", NodeService.of("api", "api", 8081), HealthStatus.WARNING);
        register("n6", "fd00::6", NodeService.of("v6", "v6", 80), HealthStatus.PASSING);
        register("n7", "10.0.0.7", new NodeService("ext", "ext", List.of(), "db.example.org", Map.of(), 5432,
                NodeService.Weights.DEFAULT, false, 0, 0), HealthStatus.PASSING);
    }

    private void register(String node, String addr, NodeService svc, HealthStatus status) {
        Command c = new Command.Register(Node.of(node, addr), Optional.of(svc),
                List.of(HealthCheck.of(node, "c-" + svc.id(), status, svc.id())), 0);
        assertInstanceOf(CommandResult.Done.class, store.apply(++index, c));
    }

    private DnsResolver resolver(DnsSettings s, Optional<StateStore> state) {
        return new DnsResolver(s, "dc1", StoreCatalog.of(() -> state), NO_RECURSORS, new Random(3), () -> 1_700_000_000_000L);
    }

    private static Message ask(DnsResolver r, String name, int type) throws Exception {
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)).toWire();
        return new Message(r.handle(q, false).orElseThrow());
    }

    @Test
    void clientAgentWithoutStateAnswersServfailForConsulNamesAndRefusedElsewhere() throws Exception {
        DnsResolver r = resolver(DnsSettings.DEFAULT, Optional.empty());
        assertEquals(Rcode.SERVFAIL, ask(r, "api.service.consul.", Type.A).getRcode());
        assertEquals(Rcode.SERVFAIL, ask(r, "n1.node.consul.", Type.A).getRcode());
        assertEquals(Rcode.REFUSED, ask(r, "example.com.", Type.A).getRcode());
        // The apex needs no catalog.
        assertEquals(Rcode.NOERROR, ask(r, "consul.", Type.SOA).getRcode());
    }

    @Test
    void ttlsComeFromSettingsAndDefaultToZero() throws Exception {
        DnsResolver dflt = resolver(DnsSettings.DEFAULT, Optional.of(store));
        assertEquals(0, ask(dflt, "api.service.consul.", Type.A).getSection(Section.ANSWER).get(0).getTTL());
        DnsResolver r = resolver(DnsSettings.DEFAULT.withTtls(Duration.ofSeconds(30), Duration.ofSeconds(60)),
                Optional.of(store));
        assertEquals(30, ask(r, "n1.node.consul.", Type.A).getSection(Section.ANSWER).get(0).getTTL());
        for (Record rec : ask(r, "api.service.consul.", Type.SRV).getSection(Section.ANSWER)) {
            assertEquals(60, rec.getTTL());
        }
        SOARecord soa = (SOARecord) ask(r, "missing.service.consul.", Type.A).getSection(Section.AUTHORITY).get(0);
        assertEquals(1_700_000_000L, soa.getSerial(), "serial from the wall clock, in seconds");
    }

    @Test
    void onlyPassingDropsWarningInstances() throws Exception {
        DnsSettings p = new DnsSettings("consul", Duration.ZERO, Duration.ZERO, true, List.of(),
                Duration.ofSeconds(2), 1, 1, 1, 1, Duration.ofSeconds(1), 512);
        List<Record> ans = ask(resolver(p, Optional.of(store)), "api.service.consul.", Type.A).getSection(Section.ANSWER);
        assertEquals(1, ans.size());
        assertEquals("10.0.0.1", ((ARecord) ans.get(0)).getAddress().getHostAddress());
        assertEquals(2, ask(resolver(DnsSettings.DEFAULT, Optional.of(store)), "api.service.consul.", Type.A)
                .getSection(Section.ANSWER).size(), "warning counts by default");
    }

    @Test
    void ipv6AddressesAnswerAaaaAndHostNamesAnswerCname() throws Exception {
        DnsResolver r = resolver(DnsSettings.DEFAULT, Optional.of(store));
        List<Record> v6 = ask(r, "v6.service.consul.", Type.AAAA).getSection(Section.ANSWER);
        assertEquals(InetAddress.getByName("fd00::6"), ((AAAARecord) v6.get(0)).getAddress());
        assertTrue(ask(r, "v6.service.consul.", Type.A).getSection(Section.ANSWER).isEmpty());
        List<Record> ext = ask(r, "ext.service.consul.", Type.A).getSection(Section.ANSWER);
        assertEquals("db.example.org.", ((CNAMERecord) ext.get(0)).getTarget().toString());
        SRVRecord srv = (SRVRecord) ask(r, "ext.service.consul.", Type.SRV).getSection(Section.ANSWER).get(0);
        assertEquals("db.example.org.", srv.getTarget().toString(), "a host name is its own SRV target");
    }

    @Test
    void otherOpcodesAreNotImplementedAndTwoQuestionsAreFormerr() throws Exception {
        DnsResolver r = resolver(DnsSettings.DEFAULT, Optional.of(store));
        Message notify = Message.newQuery(Record.newRecord(Name.fromString("consul."), Type.SOA, DClass.IN));
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertEquals(Rcode.NOTIMP, new Message(r.handle(notify.toWire(), false).orElseThrow()).getRcode());
        Message two = Message.newQuery(Record.newRecord(Name.fromString("n1.node.consul."), Type.A, DClass.IN));
        two.addRecord(Record.newRecord(Name.fromString("n2.node.consul."), Type.A, DClass.IN), Section.QUESTION);
        Message m = new Message(r.handle(two.toWire(), true).orElseThrow());
        assertEquals(Rcode.FORMERR, m.getRcode());
        assertTrue(m.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void namesOfAnotherDatacenterAreAnsweredFromItsCatalogAndNameItInSrvTargets() throws Exception {
        StateStore dc2 = new StateStore(Runnable::run);
        dc2.apply(1, new Command.Register(Node.of("w1", "10.2.0.1"), Optional.of(NodeService.of("web", "web", 80)),
                List.of(HealthCheck.of("w1", "c-web", HealthStatus.PASSING, "web")), 0));
        DnsResolver r = new DnsResolver(DnsSettings.DEFAULT, "dc1", StoreCatalog.of(() -> Optional.of(store),
                Map.of("dc2", dc2)), NO_RECURSORS, new Random(3), () -> 1_700_000_000_000L);
        List<Record> web = ask(r, "web.service.dc2.consul.", Type.A).getSection(Section.ANSWER);
        assertEquals(1, web.size());
        assertEquals("10.2.0.1", ((ARecord) web.get(0)).getAddress().getHostAddress());
        assertEquals(Rcode.NXDOMAIN, ask(r, "web.service.consul.", Type.A).getRcode(), "dc1 has no web");
        assertEquals(Rcode.NXDOMAIN, ask(r, "api.service.dc2.consul.", Type.A).getRcode(), "dc2 has no api");
        SRVRecord srv = (SRVRecord) ask(r, "web.service.DC2.consul.", Type.SRV).getSection(Section.ANSWER).get(0);
        assertEquals("w1.node.dc2.consul.", srv.getTarget().toString());
        List<Record> node = ask(r, "w1.node.dc2.consul.", Type.A).getSection(Section.ANSWER);
        assertEquals("10.2.0.1", ((ARecord) node.get(0)).getAddress().getHostAddress());
        assertEquals("10.0.0.1", ((ARecord) ask(r, "n1.node.dc1.consul.", Type.A).getSection(Section.ANSWER).get(0))
                .getAddress().getHostAddress(), "the own datacenter by name");
        Message unknown = ask(r, "web.service.dc9.consul.", Type.A);
        assertEquals(Rcode.NXDOMAIN, unknown.getRcode(), "no path to dc9: the name does not exist from here");
        assertInstanceOf(SOARecord.class, unknown.getSection(Section.AUTHORITY).get(0));
        assertEquals(Rcode.NXDOMAIN, ask(r, "web.service.bad!dc.consul.", Type.A).getRcode());
    }

    @Test
    void reverseLookupsNameTheNodesWithThatAddressAndLeaveOtherAddressesToTheRecursor() throws Exception {
        register("n1b", "10.0.0.1", NodeService.of("api2", "api2", 1), HealthStatus.PASSING);
        DnsResolver r = resolver(DnsSettings.DEFAULT.withTtls(Duration.ofSeconds(7), Duration.ZERO), Optional.of(store));
        Message m = ask(r, "1.0.0.10.in-addr.arpa.", Type.PTR);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(org.xbill.DNS.Flags.AA));
        List<String> targets = m.getSection(Section.ANSWER).stream()
                .map(x -> ((org.xbill.DNS.PTRRecord) x).getTarget().toString()).sorted().toList();
        assertEquals(List.of("n1.node.dc1.consul.", "n1b.node.dc1.consul."), targets);
        assertEquals(7, m.getSection(Section.ANSWER).get(0).getTTL(), "node_ttl");
        String v6 = "6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
        assertEquals("n6.node.dc1.consul.", ((org.xbill.DNS.PTRRecord) ask(r, v6, Type.PTR)
                .getSection(Section.ANSWER).get(0)).getTarget().toString());
        // Without a recursor an address nobody has is refused like any outside name; so is a zone.
        assertEquals(Rcode.REFUSED, ask(r, "9.9.9.10.in-addr.arpa.", Type.PTR).getRcode());
        assertEquals(Rcode.REFUSED, ask(r, "0.10.in-addr.arpa.", Type.PTR).getRcode());
        assertEquals(Rcode.REFUSED, ask(r, "1.0.0.10.in-addr.arpa.", Type.A).getRcode());
        assertEquals(Rcode.SERVFAIL, ask(resolver(DnsSettings.DEFAULT, Optional.empty()), "1.0.0.10.in-addr.arpa.",
                Type.PTR).getRcode(), "no catalog to read");
    }

    @Test
    void reverseNamesParseOnlyWholeAddresses() throws Exception {
        assertArrayEquals(new byte[] {10, 0, 0, 1}, DnsResolver.reverseAddress(Name.fromString(
                "1.0.0.10.in-addr.arpa.")).orElseThrow());
        assertArrayEquals(java.net.InetAddress.getByName("fd00::6").getAddress(), DnsResolver.reverseAddress(
                Name.fromString("6.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa."))
                .orElseThrow());
        for (String bad : List.of("256.0.0.10.in-addr.arpa.", "01.0.0.10.in-addr.arpa.", "x.0.0.10.in-addr.arpa.",
                "0.0.10.in-addr.arpa.", "1.1.0.0.10.in-addr.arpa.", "g.0.d.f.ip6.arpa.")) {
            assertTrue(DnsResolver.reverseAddress(Name.fromString(bad)).isEmpty(), bad);
        }
    }

    @Test
    void fitDropsAdditionalRecordsFirstWithoutTcThenCutsAnswersWithTc() throws Exception {
        Name owner = Name.fromString("x.service.consul.");
        Message m = new Message(1);
        m.getHeader().setFlag(Flags.QR);
        m.addRecord(Record.newRecord(owner, Type.A, DClass.IN), Section.QUESTION);
        for (int i = 0; i < 10; i++) {
            m.addRecord(new ARecord(owner, DClass.IN, 0, InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) i})),
                    Section.ANSWER);
        }
        for (int i = 0; i < 30; i++) {
            m.addRecord(new ARecord(Name.fromString("some-long-additional-name-" + i + ".node.dc1.consul."), DClass.IN,
                    0, InetAddress.getByAddress(new byte[] {10, 1, 0, (byte) i})), Section.ADDITIONAL);
        }
        assertTrue(m.toWire().length > 512);
        Message fitted = new Message(DnsResolver.fit(m, 512));
        assertFalse(fitted.getHeader().getFlag(Flags.TC), "only optional records were dropped");
        assertEquals(10, fitted.getSection(Section.ANSWER).size());
        assertTrue(fitted.getSection(Section.ADDITIONAL).isEmpty());

        for (int i = 10; i < 100; i++) {
            m.addRecord(new ARecord(owner, DClass.IN, 0, InetAddress.getByAddress(new byte[] {10, 0, 1, (byte) i})),
                    Section.ANSWER);
        }
        List<Record> all = List.copyOf(m.getSection(Section.ANSWER));
        byte[] wire = DnsResolver.fit(m, 512);
        assertTrue(wire.length <= 512);
        Message cut = new Message(wire);
        assertTrue(cut.getHeader().getFlag(Flags.TC));
        int kept = cut.getSection(Section.ANSWER).size();
        assertTrue(kept > 20 && kept < 100, "the longest prefix that fits: " + kept);
        // One more answer would not have fitted.
        Message plusOne = new Message(1);
        plusOne.addRecord(m.getQuestion(), Section.QUESTION);
        for (int i = 0; i <= kept; i++) {
            plusOne.addRecord(all.get(i), Section.ANSWER);
        }
        assertTrue(plusOne.toWire().length > 512);
    }
}
