package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
 * Starts {@code bin/tribune agent -dev} with a free {@code -dns-port} in each runtime, registers
 * services over HTTP and asks the DNS interface (an AgentService in the host layer) over UDP, the
 * way {@code dig @127.0.0.1 -p <port>} would.
 */
@Timeout(180)
class DnsIT {

    /** A port free for both TCP and UDP on loopback (closed before returning; the agent binds it next). */
    static int freeDnsPort() throws IOException {
        for (int i = 0; i < 20; i++) {
            int p = AgentProcess.freePort();
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                 ServerSocket t = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no port free for both TCP and UDP");
    }

    static Message dig(int port, String name, int type) throws IOException {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(port);
        r.setTimeout(Duration.ofSeconds(5));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)));
    }

    static Set<String> addresses(Message m) {
        Set<String> out = new TreeSet<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                out.add(a.getAddress().getHostAddress());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "runtime {0}")
    @ValueSource(strings = {"felix", "jpms"})
    void devAgentAnswersDnsForServicesRegisteredOverHttp(String runtime) throws Exception {
        int http = AgentProcess.freePort();
        int dns = freeDnsPort();
        try (AgentProcess agent = AgentProcess.start(http, List.of("agent", "-dev", "-node", "dns-" + runtime,
                "-http-port", Integer.toString(http), "-grpc-port", "-1", "-dns-port", Integer.toString(dns),
                "-runtime", runtime))) {
            agent.awaitLeader(Duration.ofSeconds(60));
            HttpResponse<String> ok = agent.send("PUT", "/v1/catalog/register", "{\"Node\": \"itnode1\", "
                    + "\"Address\": \"10.9.0.1\", \"Service\": {\"Service\": \"itweb\", \"Port\": 8080, \"Tags\": [\"v1\"]}}");
            assertEquals(200, ok.statusCode(), ok.body());
            HttpResponse<String> bad = agent.send("PUT", "/v1/catalog/register", "{\"Node\": \"itnode2\", "
                    + "\"Address\": \"10.9.0.2\", \"Service\": {\"Service\": \"itweb\", \"Port\": 8081}, "
                    + "\"Check\": {\"CheckID\": \"web-health\", \"Name\": \"web\", \"Status\": \"critical\", "
                    + "\"ServiceID\": \"itweb\"}}");
            assertEquals(200, bad.statusCode(), bad.body());

            Message node = dig(dns, "itnode1.node.consul.", Type.A);
            assertEquals(Rcode.NOERROR, node.getRcode(), node.toString());
            assertTrue(node.getHeader().getFlag(Flags.AA));
            assertEquals(Set.of("10.9.0.1"), addresses(node));

            Message a = dig(dns, "itweb.service.consul.", Type.A);
            assertEquals(Set.of("10.9.0.1"), addresses(a), "the critical instance is left out: " + a);

            Message srv = dig(dns, "_itweb._tcp.service.dc1.consul.", Type.SRV);
            assertEquals(1, srv.getSection(Section.ANSWER).size(), srv.toString());
            SRVRecord s = (SRVRecord) srv.getSection(Section.ANSWER).get(0);
            assertEquals(8080, s.getPort());
            assertEquals("itnode1.node.dc1.consul.", s.getTarget().toString());

            assertEquals(Set.of("10.9.0.1"), addresses(dig(dns, "v1.itweb.service.consul.", Type.A)));

            Message missing = dig(dns, "nothere.service.consul.", Type.A);
            assertEquals(Rcode.NXDOMAIN, missing.getRcode());
            assertTrue(missing.getSection(Section.AUTHORITY).get(0) instanceof SOARecord, missing.toString());

            assertEquals(Rcode.REFUSED, dig(dns, "example.com.", Type.A).getRcode());

            assertEquals(0, agent.terminate(Duration.ofSeconds(30)), agent.output());
        }
    }
}
