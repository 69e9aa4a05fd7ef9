package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Coverage-guided fuzzing (Jazzer) of the DNS interface's packet handling: a resolver over a small
 * catalog (no recursors, so nothing leaves the process) answers arbitrary packets, as UDP and as
 * TCP messages.
 *
 * <p>Contracts: {@link DnsResolver#handle} never throws; what it sends back is a well-formed DNS
 * response (QR set) carrying the query's ID, and over UDP it fits the client's advertised size
 * (512 bytes without EDNS, at most 65,535 with it); malformed packets get a FORMERR or nothing.
 * Lookups only read the catalog. The normal build runs the target over the seed corpus in
 * {@code src/test/resources/io/tribune/dns/internal/DnsMessageFuzzTestInputs/}; see
 * {@code docs/fuzzing.md}.
 */
class DnsMessageFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/tribune/dns/internal/DnsMessageFuzzTestInputs");
    private static final DnsResolver RESOLVER = resolver();

    private static DnsResolver resolver() {
        StateStore store = new StateStore(Runnable::run);
        long index = 0;
        for (String[] n : List.of(new String[] {"n1", "10.0.0.1", "api"}, new String[] {"n2", "10.0.0.2", "api"},
                new String[] {"n6", "fd00::6", "v6"})) {
            NodeService svc = NodeService.of(n[2] + "-" + n[0], n[2], 8080);
            Command c = new Command.Register(Node.of(n[0], n[1]), Optional.of(svc),
                    List.of(HealthCheck.of(n[0], "c-" + svc.id(), HealthStatus.PASSING, svc.id())), 0);
            assertInstanceOf(CommandResult.Done.class, store.apply(++index, c));
        }
        return new DnsResolver(DnsSettings.DEFAULT, "dc1", StoreCatalog.of(() -> Optional.of(store)),
                new Recursor(List.of(), Duration.ofSeconds(1), new Random(1)), new Random(3), () -> 1_700_000_000_000L);
    }

    /** Input: first byte's low bit: TCP (1) or UDP (0); the rest is the packet. */
    @FuzzTest(maxDuration = "5m")
    void packet(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        boolean tcp = (data[0] & 1) == 1;
        byte[] packet = java.util.Arrays.copyOfRange(data, 1, data.length);
        Optional<byte[]> answer = RESOLVER.handle(packet, tcp);
        if (answer.isEmpty()) {
            return;
        }
        byte[] a = answer.get();
        Message m = new Message(a);
        assertTrue(m.getHeader().getFlag(Flags.QR), "the answer is not a response");
        if (packet.length >= 2) {
            assertEquals(((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF), m.getHeader().getID(), "the answer's ID");
        }
        if (!tcp) {
            int limit = 512;
            try {
                OPTRecord opt = new Message(packet).getOPT();
                if (opt != null) {
                    limit = Math.max(512, opt.getPayloadSize());
                }
            } catch (IOException | RuntimeException unparsable) {
                // no EDNS size to honour
            }
            assertTrue(a.length <= limit, "a UDP answer of " + a.length + " bytes exceeds " + limit);
        }
        assertTrue(a.length <= 65_535, "an answer larger than a DNS message can be");
    }

    /** Rewrites the seed corpus; skipped unless {@code -Dtribune.fuzz.write-seeds=true} (run from the module directory). */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        Path dir = SEEDS.resolve("packet");
        Files.createDirectories(dir);
        Map<String, Record> queries = new java.util.LinkedHashMap<>();
        queries.put("seed-service-a", Record.newRecord(Name.fromString("api.service.consul."), Type.A, DClass.IN));
        queries.put("seed-service-srv", Record.newRecord(Name.fromString("api.service.dc1.consul."), Type.SRV,
                DClass.IN));
        queries.put("seed-node-aaaa", Record.newRecord(Name.fromString("n6.node.consul."), Type.AAAA, DClass.IN));
        queries.put("seed-tag-rfc2782", Record.newRecord(Name.fromString("_api._tcp.service.consul."), Type.SRV,
                DClass.IN));
        queries.put("seed-ptr", Record.newRecord(Name.fromString("1.0.0.10.in-addr.arpa."), Type.PTR, DClass.IN));
        queries.put("seed-soa", Record.newRecord(Name.fromString("consul."), Type.SOA, DClass.IN));
        queries.put("seed-outside", Record.newRecord(Name.fromString("example.org."), Type.A, DClass.IN));
        int i = 0;
        for (var e : queries.entrySet()) {
            Message q = Message.newQuery(e.getValue());
            if (i % 2 == 1) {
                q.addRecord(new OPTRecord(1232, 0, 0), org.xbill.DNS.Section.ADDITIONAL);
            }
            byte[] wire = q.toWire();
            byte[] in = new byte[wire.length + 1];
            in[0] = (byte) (i++ % 3 == 0 ? 1 : 0);
            System.arraycopy(wire, 0, in, 1, wire.length);
            Files.write(dir.resolve(e.getKey()), in);
        }
    }
}
