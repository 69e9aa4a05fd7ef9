package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.testkit.TestPki;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's HTTP client against a scripted local server on 127.0.39.x: methods and bodies as sent,
 * status codes and error bodies as received, time limits, streaming, and HTTPS with a CA file,
 * a server name and a client certificate.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiClientTest {
    private static final String HOST = "127.0.39.1";

    @Test
    void getReturnsStatusHeadersAndBodyAndSendsTheToken() throws Exception {
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> out.write(TinyHttpServer.answer(200,
                "[{\"Key\":\"a\"}]", "X-Consul-Index: 42", "X-Consul-KnownLeader: true")))) {
            ApiResponse r = new ApiClient(s.address(), "secret-token").send("GET", "/v1/kv/a%20b?recurse", null);
            assertEquals(200, r.statusCode());
            assertEquals("[{\"Key\":\"a\"}]", new String(r.body(), StandardCharsets.UTF_8));
            assertEquals(Optional.of("42"), r.header("x-consul-index"), "header names are case-insensitive");
            assertEquals(Optional.empty(), r.header("X-Nope"));
            TinyHttpServer.Request q = s.requests.take();
            assertEquals("GET", q.method());
            assertEquals("/v1/kv/a%20b?recurse", q.target());
            assertEquals("secret-token", q.headers().get("x-consul-token"));
        }
    }

    @Test
    void putPostAndDeleteCarryTheirBodiesAndAnEmptyPutItsLength() throws Exception {
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> out.write(TinyHttpServer.answer(200, "true")))) {
            ApiClient api = new ApiClient(s.address());
            assertEquals("true", new String(api.call("PUT", "/v1/kv/k", "v\u00e9".getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8));
            api.call("POST", "/v1/operator/keyring", "{\"Key\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            api.call("DELETE", "/v1/kv/k", "d".getBytes(StandardCharsets.UTF_8));
            api.call("PUT", "/v1/agent/leave", null);
            api.call("DELETE", "/v1/kv/k?recurse", null);
            TinyHttpServer.Request put = s.requests.take();
            assertEquals("PUT", put.method());
            assertEquals("v\u00e9", put.text());
            assertNull(put.headers().get("x-consul-token"), "no token, no header");
            TinyHttpServer.Request post = s.requests.take();
            assertEquals("POST", post.method());
            assertEquals("{\"Key\":\"x\"}", post.text());
            TinyHttpServer.Request del = s.requests.take();
            assertEquals("DELETE", del.method());
            assertEquals("d", del.text());
            TinyHttpServer.Request emptyPut = s.requests.take();
            assertEquals("PUT", emptyPut.method());
            assertEquals("0", emptyPut.headers().get("content-length"));
            TinyHttpServer.Request emptyDelete = s.requests.take();
            assertEquals("DELETE", emptyDelete.method());
            assertEquals("/v1/kv/k?recurse", emptyDelete.target());
        }
    }

    @Test
    void aBodyAboveTheBufferedSizeStreamsWithItsLength() throws Exception {
        byte[] big = new byte[ApiClient.BUFFERED_BODY_BYTES + 12345];
        Arrays.fill(big, (byte) 'x');
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> out.write(TinyHttpServer.answer(200, "")))) {
            new ApiClient(s.address()).call("PUT", "/v1/snapshot", big);
            TinyHttpServer.Request q = s.requests.take();
            assertEquals(String.valueOf(big.length), q.headers().get("content-length"));
            assertArrayEquals(big, q.body());
        }
    }

    @Test
    void errorStatusesKeepTheAgentsMessage() throws Exception {
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> {
            switch (r.target()) {
                case "/404" -> out.write(TinyHttpServer.answer(404, ""));
                case "/401" -> out.write(TinyHttpServer.answer(401, "ACL support disabled"));
                default -> out.write(TinyHttpServer.answer(500, "rpc error: no leader\n"));
            }
        })) {
            ApiClient api = new ApiClient(s.address());
            ApiResponse missing = api.send("GET", "/404", null);
            assertEquals(404, missing.statusCode());
            assertEquals(0, missing.body().length);
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                    () -> api.call("PUT", "/401", "{}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(401, e.status);
            assertEquals("Unexpected response code: 401 (ACL support disabled)", e.getMessage());
            e = assertThrows(ApiClient.ApiException.class, () -> api.callText("GET", "/500"));
            assertEquals(500, e.status);
            assertEquals("Unexpected response code: 500 (rpc error: no leader)", e.getMessage());
        }
    }

    @Test
    void anAgentThatIsNotThereIsStatusZeroNamingTheAddress() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.39.2"))) {
            port = free.getLocalPort();
        }
        ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                () -> new ApiClient("127.0.39.2:" + port).call("GET", "/v1/agent/self", null));
        assertEquals(0, e.status);
        assertTrue(e.getMessage().startsWith("cannot reach the agent at http://127.0.39.2:" + port + ": "), e.getMessage());
    }

    @Test
    void anAgentThatDoesNotAnswerInTimeIsStatusZero() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> release.await())) {
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                    () -> new ApiClient(s.address()).send("GET", "/v1/kv/k?index=5&wait=10m", null, Duration.ofMillis(200)));
            assertEquals(0, e.status);
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void aBlockingQueryMayAnswerLaterThanTheDefaultWhenItsTimeoutIsLonger() throws Exception {
        // The agent holds a blocking query until something changes or its wait ends; the client
        // must keep waiting under the (longer) timeout it passes. The test above shows that the
        // passed timeout is the one applied.
        CountDownLatch asked = new CountDownLatch(1);
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> {
            asked.countDown();
            Thread.sleep(300);
            out.write(TinyHttpServer.answer(200, "[]", "X-Consul-Index: 7"));
        })) {
            ApiResponse r = new ApiClient(s.address()).send("GET", "/v1/kv/k?index=6&wait=1s", null, Duration.ofMinutes(1));
            assertEquals(200, r.statusCode());
            assertEquals(Optional.of("7"), r.header("X-Consul-Index"));
            assertEquals(0, asked.getCount());
        }
    }

    @Test
    void aTruncatedBodyIsAnErrorNotAShortAnswer() throws Exception {
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> out.write(
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII)))) {
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                    () -> new ApiClient(s.address()).call("GET", "/v1/snapshot", null));
            assertEquals(0, e.status);
        }
    }

    @Test
    void aBodyAboveTheLimitIsRefusedBeforeItIsRead() {
        InputStream never = new ByteArrayInputStream(new byte[0]) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                throw new AssertionError("read a body that is too large");
            }
        };
        IOException e = assertThrows(ApiClient.TooLarge.class,
                () -> ApiClient.readBounded(never, ApiClient.MAX_BODY_BYTES + 1));
        assertTrue(e.getMessage().contains("larger than the limit"), e.getMessage());
    }

    @Test
    void aBodyWithoutLengthIsReadToItsEnd() throws Exception {
        byte[] b = new byte[100_000];
        Arrays.fill(b, (byte) 7);
        assertArrayEquals(b, ApiClient.readBounded(new ByteArrayInputStream(b), -1));
    }

    @Test
    void aGetWithABodyIsRefusedBeforeAnythingIsSent() {
        assertThrows(IllegalArgumentException.class,
                () -> new ApiClient("127.0.39.3:1").send("GET", "/v1/kv/k", new byte[1]));
    }

    @Test
    void streamHandsOverLinesAsTheyArriveAndRefusesAnErrorWithItsMessage() throws Exception {
        CountDownLatch firstRead = new CountDownLatch(1);
        try (TinyHttpServer s = new TinyHttpServer(HOST, (r, out) -> {
            if (r.target().contains("loglevel=nope")) {
                out.write(TinyHttpServer.answer(400, "Unknown log level: nope"));
                return;
            }
            // No length: the body lasts until the server closes, as the agent's monitor does.
            out.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nfirst line\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            firstRead.await();
            out.write("second line\n".getBytes(StandardCharsets.US_ASCII));
        })) {
            ApiClient api = new ApiClient(s.address());
            try (InputStream in = api.stream("/v1/agent/monitor?loglevel=info");
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                assertEquals("first line", r.readLine(), "the first line arrives before the body ends");
                firstRead.countDown();
                assertEquals("second line", r.readLine());
                assertNull(r.readLine());
            }
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                    () -> api.stream("/v1/agent/monitor?loglevel=nope"));
            assertEquals(400, e.status);
            assertTrue(e.getMessage().contains("Unknown log level: nope"), e.getMessage());
        }
    }

    @Test
    void httpsChecksTheCaAndTheServerNameAndSendsTheClientCertificate(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir, "cli");
        TestPki.Leaf server = pki.issue("agent", "agent.tribune.test");
        TestPki.Leaf client = pki.issue("cli", "cli.tribune.test");
        // The server side reuses the client's PEM loading: its certificate as "client" certificate
        // and the same CA to check the CLI's certificate.
        SSLServerSocketFactory f = HttpsClient.context(new HttpsClient.Settings(pki.caFile.toString(),
                server.certFile().toString(), server.keyFile().toString(), null)).getServerSocketFactory();
        SSLServerSocketFactory needsClientCert = new DelegatingFactory(f);
        try (TinyHttpServer s = new TinyHttpServer(HOST, needsClientCert,
                (r, out) -> out.write(TinyHttpServer.answer(200, "[\"dc1\"]")))) {
            String url = "https://" + s.address();
            String ca = pki.caFile.toString();
            HttpsClient.Settings ok = new HttpsClient.Settings(ca, client.certFile().toString(),
                    client.keyFile().toString(), "agent.tribune.test");
            assertEquals("[\"dc1\"]", new ApiClient(url, null, ok).callText("GET", "/v1/catalog/datacenters"));
            assertEquals("GET", s.requests.take().method());

            // The certificate names 127.0.0.1, not 127.0.39.1: without -tls-server-name the address is checked.
            HttpsClient.Settings noName = new HttpsClient.Settings(ca, client.certFile().toString(),
                    client.keyFile().toString(), null);
            ApiClient.ApiException e = assertThrows(ApiClient.ApiException.class,
                    () -> new ApiClient(url, null, noName).call("GET", "/v1/catalog/datacenters", null));
            assertEquals(0, e.status);
            assertTrue(e.getMessage().contains("not valid for " + HOST), e.getMessage());

            TestPki other = new TestPki(Files.createDirectories(dir.resolve("other")), "other");
            HttpsClient.Settings wrongCa = new HttpsClient.Settings(other.caFile.toString(),
                    client.certFile().toString(), client.keyFile().toString(), "agent.tribune.test");
            e = assertThrows(ApiClient.ApiException.class,
                    () -> new ApiClient(url, null, wrongCa).call("GET", "/v1/catalog/datacenters", null));
            assertEquals(0, e.status);

            HttpsClient.Settings noCert = new HttpsClient.Settings(ca, null, null, "agent.tribune.test");
            e = assertThrows(ApiClient.ApiException.class,
                    () -> new ApiClient(url, null, noCert).call("GET", "/v1/catalog/datacenters", null));
            assertEquals(0, e.status, "the server refuses a client without a certificate");
            assertTrue(s.requests.isEmpty(), "no refused client got a request through");
        }
    }

    /** Server sockets that require a client certificate (verify_incoming_https). */
    private static final class DelegatingFactory extends SSLServerSocketFactory {
        private final SSLServerSocketFactory f;

        DelegatingFactory(SSLServerSocketFactory f) {
            this.f = f;
        }

        private static ServerSocket need(ServerSocket s) {
            ((SSLServerSocket) s).setNeedClientAuth(true);
            return s;
        }

        @Override
        public ServerSocket createServerSocket() throws IOException {
            return need(f.createServerSocket());
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return need(f.createServerSocket(port));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return need(f.createServerSocket(port, backlog));
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, java.net.InetAddress a) throws IOException {
            return need(f.createServerSocket(port, backlog, a));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return f.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return f.getSupportedCipherSuites();
        }
    }
}
