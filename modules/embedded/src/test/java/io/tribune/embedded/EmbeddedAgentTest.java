package io.tribune.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.testkit.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An embedded agent over its real HTTP and DNS ports, its options, bad input, and what it leaves behind. */
class EmbeddedAgentTest {

    record Response(int code, String body) {
    }

    static Response get(String url, String token) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            if (token != null) {
                c.setRequestProperty("X-Consul-Token", token);
            }
            int code = c.getResponseCode();
            InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            return new Response(code, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    @Test
    void servesKvAndLeaderOverHttpOnLoopbackPorts() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().nodeName("kv-node").datacenter("dc7").start()) {
            for (InetSocketAddress a : new InetSocketAddress[] {agent.httpAddress(), agent.dnsAddress(),
                    agent.grpcAddress()}) {
                assertTrue(a.getAddress().isLoopbackAddress(), a.toString());
                assertNotEquals(0, a.getPort(), a.toString());
            }
            assertEquals("http://127.0.0.1:" + agent.httpAddress().getPort(), agent.httpUrl());
            Response leader = get(agent.httpUrl() + "/v1/status/leader", null);
            assertEquals(200, leader.code());
            assertTrue(leader.body().matches("\"127\\.0\\.0\\.1:\\d+\""), leader.body());

            agent.putKey("app/greeting", "hello world");
            Response kv = get(agent.httpUrl() + "/v1/kv/app/greeting?raw", null);
            assertEquals(new Response(200, "hello world"), kv);

            Response self = get(agent.httpUrl() + "/v1/agent/self", null);
            assertTrue(self.body().contains("\"kv-node\"") && self.body().contains("\"dc7\""), self.body());
        }
    }

    @Test
    void registeredServiceResolvesOverDns() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().start()) {
            agent.registerService("web", 8080);
            Response health = get(agent.httpUrl() + "/v1/health/service/web?passing", null);
            assertEquals(200, health.code());
            assertTrue(health.body().contains("\"Port\":8080"), health.body());

            byte[] answer = dnsQuery(agent.dnsAddress(), "web.service.consul");
            // RCODE 0 (no error), one answer, and its A record is 127.0.0.1
            assertEquals(0, answer[3] & 0x0f, "rcode");
            assertEquals(1, ((answer[6] & 0xff) << 8) | (answer[7] & 0xff), "answer count");
            byte[] last4 = java.util.Arrays.copyOfRange(answer, answer.length - 4, answer.length);
            // the single A record is the last thing of a reply without additional records
            assertEquals("127.0.0.1", InetAddress.getByAddress(last4).getHostAddress());
        }
    }

    /** A minimal RFC 1035 A query over UDP, so this test needs no DNS library. */
    static byte[] dnsQuery(InetSocketAddress server, String name) throws IOException {
        ByteBuffer q = ByteBuffer.allocate(512);
        q.putShort((short) 0x1234).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            q.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        q.put((byte) 0).putShort((short) 1).putShort((short) 1);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(10_000);
            s.send(new DatagramPacket(q.array(), q.position(), server));
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            s.receive(p);
            byte[] out = java.util.Arrays.copyOf(p.getData(), p.getLength());
            // ARCOUNT must be 0 for the caller's "last 4 bytes" reading
            assertEquals(0, ((out[10] & 0xff) << 8) | (out[11] & 0xff), "additional records");
            return out;
        }
    }

    @Test
    void aclsDenyAnonymousAndAllowTheMasterToken() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().acl("s3cret-master").start()) {
            assertEquals("s3cret-master", agent.masterToken().orElseThrow());
            agent.putKey("secret", "v");
            assertEquals(403, get(agent.httpUrl() + "/v1/kv/secret?raw", null).code());
            assertEquals(new Response(200, "v"), get(agent.httpUrl() + "/v1/kv/secret?raw", "s3cret-master"));
        }
    }

    @Test
    void extraConfigIsMergedOverTheBuilder() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().nodeName("from-builder")
                .config("{\"node_name\": \"from-json\"}").start()) {
            assertEquals("from-json", agent.nodeName());
        }
    }

    @Test
    void aDataDirWithRocksdbKeepsKeysAcrossARestart(@TempDir Path data) throws Exception {
        EmbeddedAgent.Builder b = EmbeddedAgent.builder().dataDir(data).plugin("storage", "storage-rocksdb");
        try (EmbeddedAgent agent = b.start()) {
            agent.putKey("durable", "kept");
        }
        try (EmbeddedAgent again = b.start()) {
            assertEquals(new Response(200, "kept"), get(again.httpUrl() + "/v1/kv/durable?raw", null));
        }
    }

    @Test
    void badInputIsRefusedClearly() {
        EmbeddedAgent.Builder b = EmbeddedAgent.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.config("[1, 2]"));
        assertTrue(e.getMessage().contains("JSON object"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.config("{not json"));
        assertThrows(IllegalArgumentException.class, () -> b.logLevel("loud"));
        assertThrows(IllegalArgumentException.class, () -> b.nodeName(" "));
        assertThrows(IllegalArgumentException.class, () -> b.plugin("wiring", "x"));
        assertThrows(IllegalArgumentException.class, () -> b.startTimeout(Duration.ZERO));
        e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedAgent.builder().config("{\"ports\": {\"http\": 70000}}").start());
        assertTrue(e.getMessage().contains("ports.http"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedAgent.builder().plugin("storage", "storage-nowhere").start());
        assertTrue(e.getMessage().contains("storage-nowhere"), e.getMessage());
    }

    @Test
    void badRequestsOfTheHelpersChangeNothing() throws Exception {
        try (EmbeddedAgent agent = EmbeddedAgent.builder().start()) {
            assertThrows(IllegalArgumentException.class, () -> agent.putKey("/abs", "v"));
            assertThrows(IllegalArgumentException.class, () -> agent.putKey("k".repeat(513), "v"));
            assertThrows(IllegalArgumentException.class, () -> agent.registerService("bad name", 1));
            assertThrows(IllegalArgumentException.class, () -> agent.registerService("web", 70000));
            assertEquals("{}", get(agent.httpUrl() + "/v1/agent/services", null).body().replace(" ", ""));
        }
    }

    @Test
    void twoAgentsInOneJvmAreIndependent() throws Exception {
        try (EmbeddedAgent a = EmbeddedAgent.builder().start(); EmbeddedAgent b = EmbeddedAgent.builder().start()) {
            assertNotEquals(a.httpAddress(), b.httpAddress());
            a.putKey("only-in-a", "1");
            assertEquals(200, get(a.httpUrl() + "/v1/kv/only-in-a", null).code());
            assertEquals(404, get(b.httpUrl() + "/v1/kv/only-in-a", null).code());
        }
    }

    /**
     * Threads that belong to the JVM, not to an agent, and may come and go on their own: the common
     * fork-join pool and the HTTP client's keep-alive timer.
     */
    private static boolean jvmShared(Thread t) {
        return t.getName().startsWith("ForkJoinPool.commonPool") || t.getName().equals("Keep-Alive-Timer");
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).filter(t -> !jvmShared(t))
                .collect(Collectors.toSet());
    }

    @Test
    void aSecondStartStopCycleLeaksNoThreadsAndFreesItsPorts() throws Exception {
        // The first cycle may start JVM-wide things once (class loading, shared timers): measure after it.
        try (EmbeddedAgent warm = EmbeddedAgent.builder().start()) {
            assertEquals(200, get(warm.httpUrl() + "/v1/status/leader", null).code());
        }
        Set<Thread> before = liveThreads();
        InetSocketAddress http;
        InetSocketAddress dns;
        try (EmbeddedAgent agent = EmbeddedAgent.builder().start()) {
            http = agent.httpAddress();
            dns = agent.dnsAddress();
            assertEquals(200, get(agent.httpUrl() + "/v1/status/leader", null).code());
            assertFalse(before.containsAll(liveThreads()), "the agent runs threads of its own");
        }
        boolean gone = Poll.until(Duration.ofSeconds(30), () -> before.containsAll(liveThreads()));
        Set<Thread> left = liveThreads();
        left.removeAll(before);
        assertTrue(gone, "threads left after close: " + left.stream().map(Thread::getName).toList());
        try (ServerSocket s = new ServerSocket()) {
            s.bind(http);
        }
        try (DatagramSocket s = new DatagramSocket(dns)) {
            assertEquals(dns.getPort(), s.getLocalPort());
        }
    }
}
