package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.state.Command;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.StateStore;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Throughput and latency of the UDP listener over loopback, printed, never asserted on. Opt-in:
 * {@code mvn -pl modules/dns test -Dtest=DnsServerBenchTest -Dtribune.bench=true}.
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class DnsServerBenchTest {

    @Test
    void udpQueriesPerSecond() throws Exception {
        StateStore store = new StateStore(Runnable::run);
        for (int i = 0; i < 10; i++) {
            store.apply(i + 1, new Command.Register(Node.of("b" + i, "10.4.0." + (i + 1)),
                    Optional.of(NodeService.of("bench", "bench", 80)),
                    List.of(HealthCheck.of("b" + i, "c", HealthStatus.PASSING, "bench")), 0));
        }
        Random random = new Random(1);
        DnsSettings s = DnsSettings.DEFAULT;
        try (DnsServer server = new DnsServer(new DnsResolver(s, "dc1", StoreCatalog.of(() -> Optional.of(store)),
                new Recursor(List.of(), Duration.ofSeconds(1), random), random, System::currentTimeMillis), s)) {
            InetSocketAddress at = server.start("127.0.0.1", 0);
            byte[] q = Message.newQuery(Record.newRecord(Name.fromString("bench.service.consul."), Type.SRV, DClass.IN))
                    .toWire();
            run(at, q, 1, 2_000); // warm-up
            for (int clients : new int[] {1, 4}) {
                int per = 20_000 / clients;
                long t0 = System.nanoTime();
                run(at, q, clients, per);
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("dns udp SRV (10 instances): %d clients x %d queries: %.0f queries/s, %.1f us/query"
                        + " per client%n", clients, per, clients * per / secs, secs * 1e6 / per);
            }
        }
    }

    private static void run(InetSocketAddress at, byte[] q, int clients, int per) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                fs.add(pool.submit(() -> {
                    try (DatagramSocket sock = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                        sock.setSoTimeout(2000);
                        byte[] buf = new byte[4096];
                        for (int i = 0; i < per; i++) {
                            sock.send(new DatagramPacket(q, q.length, at));
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            sock.receive(p);
                            if (i == 0) {
                                assertEquals(Rcode.NOERROR, new Message(java.util.Arrays.copyOf(buf, p.getLength()))
                                        .getRcode());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
