package io.tribune.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.Agent;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.plugins.PluginRegistry;
import io.tribune.agent.plugins.ServiceLoaderPluginSource;
import io.tribune.dns.internal.DnsResolver;
import io.tribune.dns.internal.DnsServer;
import io.tribune.dns.internal.DnsSettings;
import io.tribune.dns.internal.DnsCatalog;
import io.tribune.dns.internal.Recursor;
import io.tribune.dns.internal.RequestsDnsCatalog;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The DNS interface of an in-process dev agent (storage-memory, consensus-single,
 * transport-inproc, membership-static found through ServiceLoader), found by the agent as an
 * AgentService, queried with dnsjava's SimpleResolver over UDP and TCP on loopback. Services are
 * registered by proposing {@code Command.Register} through consensus.
 */
@Timeout(60)
class DnsServiceTest {
    static Agent agent;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        var cfg = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"dnstest\", "
                + "\"ports\": {\"http\": -1, \"grpc\": -1, \"dns\": 0, \"server\": 18471}}").getAsJsonObject(), "test")
                .build();
        var registry = PluginRegistry.of(new ServiceLoaderPluginSource(DnsServiceTest.class.getClassLoader()).load());
        agent = Agent.start(cfg, registry, "embedded");
        port = DnsService.address(agent).orElseThrow().getPort();
        assertTrue(port > 0);

        register("web1", "10.0.0.1", NodeService.of("web", "web", 80, "primary"), HealthStatus.PASSING);
        register("web2", "10.0.0.2", NodeService.of("web", "web", 81), HealthStatus.PASSING);
        // An instance with its own address: SRV points at <hex>.addr.dc1.consul.
        register("web3", "10.0.0.3", new NodeService("web-x", "web", List.of(), "10.1.1.1", Map.of(), 82,
                NodeService.Weights.DEFAULT, false, 0, 0), HealthStatus.PASSING);
        NodeService.Weights w = new NodeService.Weights(10, 3);
        register("h1", "10.0.1.1", new NodeService("chk", "chk", List.of(), "", Map.of(), 9001, w, false, 0, 0),
                HealthStatus.PASSING);
        register("h2", "10.0.1.2", new NodeService("chk", "chk", List.of(), "", Map.of(), 9002, w, false, 0, 0),
                HealthStatus.WARNING);
        register("h3", "10.0.1.3", new NodeService("chk", "chk", List.of(), "", Map.of(), 9003, w, false, 0, 0),
                HealthStatus.CRITICAL);
        register("down1", "10.0.2.1", NodeService.of("gone", "gone", 1), HealthStatus.CRITICAL);
        for (int i = 0; i < 60; i++) {
            register("big" + i, "10.2.0." + (i + 1), NodeService.of("big", "big", 7000 + i), HealthStatus.PASSING);
        }
        for (int i = 0; i < 5; i++) {
            register("mix" + i, "10.3.0." + (i + 1), NodeService.of("mix", "mix", 7000), HealthStatus.PASSING);
        }
    }

    @AfterAll
    static void stop() {
        if (agent != null) {
            agent.shutdown(false);
            assertTrue(DnsService.address(agent).isEmpty(), "the address is forgotten when the agent stops");
        }
    }

    static void register(String node, String address, NodeService svc, HealthStatus status) throws Exception {
        List<HealthCheck> checks = List.of(HealthCheck.of(node, "service:" + svc.id(), status, svc.id()));
        Command cmd = new Command.Register(Node.of(node, address), Optional.of(svc), checks, 0);
        byte[] res = agent.consensus().orElseThrow().apply(cmd.encode(), Duration.ofSeconds(10))
                .get(20, TimeUnit.SECONDS).result();
        assertInstanceOf(CommandResult.Done.class, CommandResult.decode(res));
    }

    static SimpleResolver resolver(int p, boolean tcp) throws IOException {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(p);
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(5));
        r.setIgnoreTruncation(true);
        return r;
    }

    static Message ask(String name, int type, boolean tcp) throws IOException {
        return resolver(port, tcp).send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static List<Record> answers(Message m) {
        return m.getSection(Section.ANSWER);
    }

    static Set<String> addresses(List<Record> rs) {
        Set<String> out = new TreeSet<>();
        for (Record r : rs) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    @Test
    void nodeLookupAnswersTheNodeAddressOverUdpAndTcpWithAndWithoutDatacenter() throws Exception {
        for (boolean tcp : new boolean[] {false, true}) {
            for (String name : List.of("web1.node.consul.", "web1.node.dc1.consul.", "WEB1.Node.Consul.")) {
                Message m = ask(name, Type.A, tcp);
                assertEquals(Rcode.NOERROR, m.getRcode(), name);
                assertTrue(m.getHeader().getFlag(Flags.AA), "authoritative");
                assertTrue(m.getHeader().getFlag(Flags.QR));
                assertEquals(1, answers(m).size(), m.toString());
                ARecord a = (ARecord) answers(m).get(0);
                assertEquals("10.0.0.1", a.getAddress().getHostAddress());
                assertEquals(0, a.getTTL(), "Consul's default node_ttl is 0");
            }
        }
    }

    @Test
    void aaaaForAnIpv4NodeIsNoDataWithSoa() throws Exception {
        Message m = ask("web1.node.consul.", Type.AAAA, false);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(answers(m).isEmpty());
        assertInstanceOf(SOARecord.class, m.getSection(Section.AUTHORITY).get(0));
    }

    @Test
    void serviceARecordsUseServiceAddressOrNodeAddress() throws Exception {
        Message m = ask("web.service.consul.", Type.A, false);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(Set.of("10.0.0.1", "10.0.0.2", "10.1.1.1"), addresses(answers(m)));
        assertEquals(3, answers(m).size());
    }

    @Test
    void serviceSrvHasPriorityWeightPortTargetsAndAdditionalAddresses() throws Exception {
        Message m = ask("web.service.dc1.consul.", Type.SRV, true);
        assertEquals(Rcode.NOERROR, m.getRcode());
        List<Record> ans = answers(m);
        assertEquals(3, ans.size());
        Map<Integer, String> targetByPort = new java.util.TreeMap<>();
        for (Record r : ans) {
            SRVRecord srv = (SRVRecord) r;
            assertEquals(1, srv.getPriority());
            assertEquals(1, srv.getWeight());
            targetByPort.put(srv.getPort(), srv.getTarget().toString());
        }
        assertEquals(Map.of(80, "web1.node.dc1.consul.", 81, "web2.node.dc1.consul.", 82, "0a010101.addr.dc1.consul."),
                targetByPort);
        Map<String, String> extra = new java.util.TreeMap<>();
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            if (r instanceof ARecord a) {
                extra.put(a.getName().toString(), a.getAddress().getHostAddress());
            }
        }
        assertEquals(Map.of("web1.node.dc1.consul.", "10.0.0.1", "web2.node.dc1.consul.", "10.0.0.2",
                "0a010101.addr.dc1.consul.", "10.1.1.1"), extra);
        // The addr target resolves on its own.
        assertEquals(Set.of("10.1.1.1"), addresses(answers(ask("0a010101.addr.dc1.consul.", Type.A, false))));
    }

    @Test
    void tagFilterAndRfc2782Forms() throws Exception {
        assertEquals(Set.of("10.0.0.1"), addresses(answers(ask("primary.web.service.consul.", Type.A, false))));
        Message all = ask("_web._tcp.service.consul.", Type.SRV, false);
        assertEquals(Rcode.NOERROR, all.getRcode());
        assertEquals(3, answers(all).size(), "_tcp means any tag");
        Message tagged = ask("_web._primary.service.consul.", Type.SRV, false);
        assertEquals(1, answers(tagged).size());
        assertEquals(80, ((SRVRecord) answers(tagged).get(0)).getPort());
        assertEquals(Rcode.NXDOMAIN, ask("nosuchtag.web.service.consul.", Type.A, false).getRcode());
    }

    @Test
    void criticalInstancesAreExcludedWarningKeptWithItsWeight() throws Exception {
        assertEquals(Set.of("10.0.1.1", "10.0.1.2"), addresses(answers(ask("chk.service.consul.", Type.A, false))));
        Map<Integer, Integer> weightByPort = new java.util.TreeMap<>();
        for (Record r : answers(ask("chk.service.consul.", Type.SRV, false))) {
            SRVRecord s = (SRVRecord) r;
            weightByPort.put(s.getPort(), s.getWeight());
        }
        assertEquals(Map.of(9001, 10, 9002, 3), weightByPort, "Weights.Passing / Weights.Warning");
        Message gone = ask("gone.service.consul.", Type.A, false);
        assertEquals(Rcode.NXDOMAIN, gone.getRcode(), "a service with only critical instances");
    }

    @Test
    void unknownNamesAreNxdomainWithSoaInAuthority() throws Exception {
        for (String name : List.of("nope.service.consul.", "nobody.node.consul.", "web1.node.dc2.consul.",
                "x.y.consul.", "a.b.web.service.consul.", "zz.addr.consul.")) {
            Message m = ask(name, Type.A, false);
            assertEquals(Rcode.NXDOMAIN, m.getRcode(), name);
            assertTrue(answers(m).isEmpty(), name);
            List<Record> auth = m.getSection(Section.AUTHORITY);
            assertEquals(1, auth.size(), name);
            SOARecord soa = (SOARecord) auth.get(0);
            assertEquals("consul.", soa.getName().toString());
            assertEquals("ns.consul.", soa.getHost().toString());
        }
        Message apex = ask("consul.", Type.SOA, false);
        assertEquals(Rcode.NOERROR, apex.getRcode());
        assertInstanceOf(SOARecord.class, answers(apex).get(0));
    }

    @Test
    void bigAnswerIsTruncatedOverUdpAndWholeOverTcp() throws Exception {
        SimpleResolver plain = resolver(port, false);
        plain.setEDNS(-1, 0, 0, List.of()); // no EDNS: 512 bytes
        Message q = Message.newQuery(Record.newRecord(Name.fromString("big.service.consul."), Type.A, DClass.IN));
        Message udp = plain.send(q);
        assertTrue(udp.getHeader().getFlag(Flags.TC), "TC set");
        int cut = answers(udp).size();
        assertTrue(cut > 0 && cut < 60, "a prefix that fits: " + cut);
        assertTrue(udp.toWire().length <= 512, "within 512 bytes");

        Message tcp = ask("big.service.consul.", Type.A, true);
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(60, answers(tcp).size());

        // With EDNS advertising 4096 bytes the whole answer fits in one datagram.
        SimpleResolver edns = resolver(port, false);
        edns.setEDNS(0, 4096, 0, List.of());
        Message big = edns.send(q);
        assertFalse(big.getHeader().getFlag(Flags.TC));
        assertEquals(60, answers(big).size());
        assertNotNull(big.getOPT(), "EDNS answered with EDNS");

        // The SRV form truncates too; without SimpleResolver ignoring TC it falls back to TCP by itself.
        SimpleResolver fallback = resolver(port, false);
        fallback.setIgnoreTruncation(false);
        fallback.setEDNS(-1, 0, 0, List.of());
        Message srv = fallback.send(Message.newQuery(Record.newRecord(Name.fromString("big.service.consul."),
                Type.SRV, DClass.IN)));
        assertEquals(60, answers(srv).size(), "the client retried over TCP");
    }

    @Test
    void answersAreShuffled() throws Exception {
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            List<String> order = new ArrayList<>();
            for (Record r : answers(ask("mix.service.consul.", Type.A, false))) {
                order.add(((ARecord) r).getAddress().getHostAddress());
            }
            assertEquals(5, order.size());
            orders.add(order);
        }
        // 30 draws of 120 equally likely orders all alike has probability 120^-29.
        assertTrue(orders.size() > 1, "orders seen: " + orders);
    }

    @Test
    void namesOutsideTheDomainAreRefusedWithoutRecursors() throws Exception {
        Message m = ask("example.com.", Type.A, false);
        assertEquals(Rcode.REFUSED, m.getRcode());
        assertTrue(answers(m).isEmpty());
        assertFalse(m.getHeader().getFlag(Flags.RA));
    }

    /** The agent's catalog as the DNS interface reads it: stale reads through its request layer. */
    private static DnsCatalog catalog() {
        return new RequestsDnsCatalog(agent.requests(), DnsService.FORWARD_TIMEOUT, Optional.empty());
    }

    @Test
    void recursorRelaysTheUpstreamAnswerAndServfailsWhenItIsSilent() throws Exception {
        try (DatagramSocket upstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread fake = new Thread(() -> fakeUpstream(upstream), "fake-upstream");
            fake.setDaemon(true);
            fake.start();
            Random random = new Random(7);
            DnsSettings s = DnsSettings.DEFAULT.withRecursors(List.of((InetSocketAddress) upstream.getLocalSocketAddress()));
            try (DnsServer server = new DnsServer(new DnsResolver(s, "dc1", catalog(),
                    new Recursor(s.recursors(), Duration.ofSeconds(3), random), random, System::currentTimeMillis), s)) {
                int p = server.start("127.0.0.1", 0).getPort();
                Message m = resolver(p, false).send(Message.newQuery(Record.newRecord(
                        Name.fromString("relayed.example."), Type.A, DClass.IN)));
                assertEquals(Rcode.NOERROR, m.getRcode());
                assertEquals(Set.of("192.0.2.55"), addresses(answers(m)));
                assertTrue(m.getHeader().getFlag(Flags.RA), "recursion available");
                // .consul names are still answered locally.
                Message local = resolver(p, false).send(Message.newQuery(Record.newRecord(
                        Name.fromString("web1.node.consul."), Type.A, DClass.IN)));
                assertEquals(Set.of("10.0.0.1"), addresses(answers(local)));
            }
            DnsSettings mute = DnsSettings.DEFAULT.withRecursors(List.of((InetSocketAddress) silent.getLocalSocketAddress()));
            DnsResolver r = new DnsResolver(mute, "dc1", catalog(),
                    new Recursor(mute.recursors(), Duration.ofMillis(200), random), random, System::currentTimeMillis);
            byte[] q = Message.newQuery(Record.newRecord(Name.fromString("lost.example."), Type.A, DClass.IN)).toWire();
            Message m = new Message(r.handle(q, false).orElseThrow());
            assertEquals(Rcode.SERVFAIL, m.getRcode(), "no upstream answered in time");
        }
    }

    /** Answers one A query with 192.0.2.55, echoing ID and question. */
    private static void fakeUpstream(DatagramSocket s) {
        try {
            byte[] buf = new byte[4096];
            while (!s.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                s.receive(p);
                Message q = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
                Message a = new Message(q.getHeader().getID());
                a.getHeader().setFlag(Flags.QR);
                a.getHeader().setFlag(Flags.RA);
                a.addRecord(q.getQuestion(), Section.QUESTION);
                a.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 60,
                        InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 55})), Section.ANSWER);
                byte[] w = a.toWire();
                s.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
            }
        } catch (IOException e) {
            // closed by the test
        }
    }

    @Test
    void garbagePacketsAreDroppedOrFormerrAndTheServerKeepsAnswering() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(300);
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            Random rnd = new Random(42);
            // Too short for a header: no answer.
            s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, to));
            assertTimesOut(s);
            // A header that promises records that never come: FORMERR with the ID.
            byte[] bad = {0x12, 0x34, 0x00, 0x00, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x07};
            s.send(new DatagramPacket(bad, bad.length, to));
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            Message err = new Message(java.util.Arrays.copyOf(buf, p.getLength()));
            assertEquals(0x1234, err.getHeader().getID());
            assertEquals(Rcode.FORMERR, err.getRcode());
            // A "response" (QR set) is never answered, so two servers cannot ping-pong.
            byte[] resp = Message.newQuery(Record.newRecord(Name.fromString("web1.node.consul."), Type.A, DClass.IN))
                    .toWire();
            resp[2] |= (byte) 0x80;
            s.send(new DatagramPacket(resp, resp.length, to));
            assertTimesOut(s);
            // Random junk of many lengths: whatever comes back is a well-formed response without answers.
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[rnd.nextInt(600)];
                rnd.nextBytes(junk);
                s.send(new DatagramPacket(junk, junk.length, to));
            }
            while (true) {
                DatagramPacket r = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(r);
                } catch (SocketTimeoutException e) {
                    break;
                }
                Message m = new Message(java.util.Arrays.copyOf(buf, r.getLength()));
                assertTrue(m.getHeader().getFlag(Flags.QR));
                assertTrue(answers(m).isEmpty(), m.toString());
                assertTrue(m.getRcode() != Rcode.NOERROR, m.toString());
            }
        }
        // TCP: a zero length and an oversized length close the connection.
        for (int len : new int[] {0, 60000}) {
            try (Socket t = new Socket(InetAddress.getLoopbackAddress(), port)) {
                t.setSoTimeout(5000);
                new DataOutputStream(t.getOutputStream()).writeShort(len);
                assertEquals(-1, t.getInputStream().read(), "closed without an answer");
            }
        }
        // Two queries on one TCP connection (RFC 7766 pipelining), then the server still answers UDP.
        try (Socket t = new Socket(InetAddress.getLoopbackAddress(), port)) {
            t.setSoTimeout(5000);
            DataOutputStream out = new DataOutputStream(t.getOutputStream());
            DataInputStream in = new DataInputStream(t.getInputStream());
            for (int i = 0; i < 2; i++) {
                Message q = Message.newQuery(Record.newRecord(Name.fromString("web2.node.consul."), Type.A, DClass.IN));
                byte[] w = q.toWire();
                out.writeShort(w.length);
                out.write(w);
                out.flush();
                byte[] a = in.readNBytes(in.readUnsignedShort());
                Message m = new Message(a);
                assertEquals(q.getHeader().getID(), m.getHeader().getID());
                assertEquals(Set.of("10.0.0.2"), addresses(answers(m)));
            }
        }
        assertEquals(Set.of("10.0.0.1"), addresses(answers(ask("web1.node.consul.", Type.A, false))));
    }

    private static void assertTimesOut(DatagramSocket s) throws IOException {
        try {
            byte[] buf = new byte[4096];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            throw new AssertionError("unexpected answer of " + p.getLength() + " bytes");
        } catch (SocketTimeoutException expected) {
            // nothing came back
        } catch (EOFException e) {
            throw new AssertionError(e);
        }
    }
}
