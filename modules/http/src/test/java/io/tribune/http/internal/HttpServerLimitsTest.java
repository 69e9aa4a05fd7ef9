package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.testkit.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, defect 4: the HTTP listener holds every client to {@link HttpLimits}: at most N open
 * connections per client address (429 beyond, Consul's {@code limits.http_max_conns_per_client}),
 * a whole request within the read timeout (slowloris connections are closed), idle keep-alive
 * connections closed after the idle timeout, and a request being served never cut. Loopback only,
 * at most a handful of sockets, every wait bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpServerLimitsTest {
    /** Bound of every read: a server that never answers fails the test instead of hanging it. */
    private static final int READ_BOUND_MILLIS = 10_000;
    private final List<Socket> sockets = new ArrayList<>();
    private HttpServer server;
    private int port;

    private void start(HttpLimits limits) {
        server = new HttpServer(1 << 20, limits)
                .route("/v1/ok", (req, rest) -> CompletableFuture.completedFuture(HttpResponse.text(200, "ok")))
                .route("/v1/slow", (req, rest) -> CompletableFuture.supplyAsync(() -> HttpResponse.text(200, "late"),
                        CompletableFuture.delayedExecutor(1500, TimeUnit.MILLISECONDS)));
        port = server.start("127.0.0.1", 0).getPort();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), READ_BOUND_MILLIS);
        s.setSoTimeout(READ_BOUND_MILLIS);
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Reads one response (status line, headers, Content-Length body) from a kept-alive connection. */
    private static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.US_ASCII);
        int len = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                len = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(len);
        return h + new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection: a read sees end of stream (a bounded wait). */
    private static boolean closedByServer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aClientOverItsConnectionLimitIsAnswered429WhileOtherClientsAreServed() throws Exception {
        start(new HttpLimits(3, Duration.ofSeconds(30), Duration.ofSeconds(30)));
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Socket s = connect("127.0.0.1");
            send(s, get("/v1/ok"));
            assertTrue(readResponse(s).startsWith("HTTP/1.1 200"));
            held.add(s);
        }
        Socket over = connect("127.0.0.1");
        String refused = new String(over.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(refused.startsWith("HTTP/1.1 429 Too Many Requests"), refused);
        assertTrue(refused.contains("limits.http_max_conns_per_client"), refused);

        // Another client address is not affected by the first one's connections.
        Socket other = connect("127.0.0.2");
        send(other, get("/v1/ok"));
        assertTrue(readResponse(other).startsWith("HTTP/1.1 200"));

        // Once one of the first client's connections closes, it may open another.
        held.get(0).close();
        assertTrue(Poll.until(Duration.ofSeconds(10), () -> {
            try {
                Socket again = connect("127.0.0.1");
                send(again, get("/v1/ok"));
                return readResponse(again).startsWith("HTTP/1.1 200");
            } catch (IOException e) {
                return false;
            }
        }), "the closed connection was never released from the client's count");
    }

    @Test
    void aRequestThatDoesNotArriveWithinTheReadTimeoutIsClosedSlowloris() throws Exception {
        start(new HttpLimits(0, Duration.ofMillis(300), Duration.ofSeconds(30)));
        Socket slow = connect("127.0.0.1");
        // Headers trickle in and never end.
        send(slow, "GET /v1/ok HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        send(slow, "X-A: 1\r\n");
        assertTrue(closedByServer(slow), "the slow request's connection was kept open");

        Socket silent = connect("127.0.0.1");
        assertTrue(closedByServer(silent), "a connection that never sent a byte was kept open");

        Socket fine = connect("127.0.0.1");
        send(fine, get("/v1/ok"));
        assertTrue(readResponse(fine).startsWith("HTTP/1.1 200"));
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedButARequestBeingServedIsNeverCut() throws Exception {
        start(new HttpLimits(0, Duration.ofMillis(300), Duration.ofMillis(300)));
        Socket s = connect("127.0.0.1");
        // The route answers after 1.5 s, five times the timeouts: no timer runs while it is served.
        send(s, get("/v1/slow"));
        String r = readResponse(s);
        assertTrue(r.startsWith("HTTP/1.1 200") && r.endsWith("late"), r);
        // Kept alive, then idle: closed by the server.
        assertTrue(closedByServer(s), "the idle keep-alive connection was kept open");
    }

    @Test
    void limitsComeFromTheAgentsConfigurationAndAreValidated() {
        assertEquals(HttpLimits.DEFAULT, HttpLimits.from(PluginConfig.empty()));
        assertEquals(200, HttpLimits.DEFAULT.maxConnsPerClient());
        HttpLimits l = HttpLimits.from(PluginConfig.of(Map.of(HttpLimits.MAX_CONNS_PER_CLIENT_KEY, "7",
                HttpLimits.READ_TIMEOUT_KEY, "5s", HttpLimits.IDLE_TIMEOUT_KEY, "1m")));
        assertEquals(new HttpLimits(7, Duration.ofSeconds(5), Duration.ofMinutes(1)), l);
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.from(PluginConfig.of(Map.of(
                HttpLimits.MAX_CONNS_PER_CLIENT_KEY, "-1"))));
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.from(PluginConfig.of(Map.of(
                HttpLimits.READ_TIMEOUT_KEY, "0s"))));
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.from(PluginConfig.of(Map.of(
                HttpLimits.IDLE_TIMEOUT_KEY, "soon"))));
    }
}
