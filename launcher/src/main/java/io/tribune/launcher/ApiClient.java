package io.tribune.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * The CLI's view of the local agent's HTTP API ({@code -http-addr}, else {@code TRIBUNE_HTTP_ADDR}
 * or {@code CONSUL_HTTP_ADDR}, else {@code 127.0.0.1:8500}). HTTPS for an {@code https://} address
 * or with {@code CONSUL_HTTP_SSL=true}, with the TLS flags of {@link TlsOptions}.
 *
 * <p>fastcli (issue 16): built on {@link HttpURLConnection}, not {@code java.net.http}: a
 * {@code java.net.http.HttpClient} starts a selector thread and an executor and loads a few
 * hundred classes (330-560 ms of a command's wall time on a small machine), where one
 * {@code HttpURLConnection} request costs 10-23 ms. Calls are blocking, one at a time per calling
 * thread; an instance holds no connection of its own (the JDK keeps idle ones alive for reuse) and
 * may be shared by threads. No proxy is used, and redirects are not followed (an answer is returned
 * as it is), as with the former client.
 *
 * <p>Time limits: connecting must succeed within {@link #CONNECT_TIMEOUT}; then each read of the
 * answer waits at most the call's timeout (30 s unless given), so a blocking query passes a
 * timeout above its {@code wait}. Bodies are bounded by {@link #MAX_BODY_BYTES}.
 */
final class ApiClient {
    /** A failed call: the HTTP status (0 when the agent could not be reached) and its message. */
    static final class ApiException extends Exception {
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Time to set up the TCP connection: the agent is local or near, 5 s is a dead agent. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Time limit of an ordinary call (time without data once connected). */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Largest body read from an answer: a snapshot, the largest answer the CLI reads whole, is
     * at most 1 GiB ({@code OperatorCommands.MAX_SNAPSHOT_FILE_BYTES}).
     */
    static final long MAX_BODY_BYTES = 1L << 30;
    /**
     * Bodies up to this size are buffered by the connection (which can then still read a 401
     * answer's body); larger ones stream with a fixed length, so that a snapshot restore does
     * not hold its body twice. {@code HttpURLConnection} refuses to read a 401 answer to a
     * streamed request, and the agent's 401 ("ACL support disabled") only answers small calls.
     */
    static final int BUFFERED_BODY_BYTES = 1 << 20;

    private final String base;
    /** The ACL token sent as {@code X-Consul-Token}; "" for none. */
    private final String token;
    /** The TLS of {@code https://} calls; null for {@code http://}. */
    private final SSLSocketFactory tls;

    ApiClient(String httpAddr) {
        this(httpAddr, null);
    }

    ApiClient(String httpAddr, String token) {
        this(httpAddr, token, HttpsClient.Settings.NONE);
    }

    /**
     * @param token the ACL token ({@code -token}); null or blank: {@code CONSUL_HTTP_TOKEN} (or
     *              {@code TRIBUNE_HTTP_TOKEN}), else none
     * @throws IllegalArgumentException when HTTPS is used and a TLS file is missing or bad
     *                                  ({@link HttpsClient#context})
     */
    ApiClient(String httpAddr, String token, HttpsClient.Settings tls) {
        String t = token;
        if (t == null || t.isBlank()) {
            t = System.getenv("TRIBUNE_HTTP_TOKEN");
        }
        if (t == null || t.isBlank()) {
            t = System.getenv("CONSUL_HTTP_TOKEN");
        }
        this.token = t == null ? "" : t.strip();
        String a = httpAddr;
        if (a == null || a.isBlank()) {
            a = System.getenv("TRIBUNE_HTTP_ADDR");
        }
        if (a == null || a.isBlank()) {
            a = System.getenv("CONSUL_HTTP_ADDR");
        }
        if (a == null || a.isBlank()) {
            a = "127.0.0.1:8500";
        }
        // config feature: CONSUL_HTTP_SSL=true makes a bare address HTTPS, as in Consul's CLI.
        boolean ssl = "true".equalsIgnoreCase(System.getenv("CONSUL_HTTP_SSL")) || "1".equals(System.getenv("CONSUL_HTTP_SSL"));
        this.base = a.startsWith("http://") || a.startsWith("https://") ? a : (ssl ? "https://" : "http://") + a;
        this.tls = base.startsWith("https://") ? HttpsClient.context(tls).getSocketFactory() : null;
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    /**
     * Sends a request and returns the answer, whatever its status; 30 s time limit.
     *
     * @param method       GET, PUT, POST or DELETE (GET and DELETE without a body)
     * @param pathAndQuery starts with {@code /}, already encoded ({@link #enc})
     * @param body         the request body, or null for none
     * @throws ApiException with status 0 when the agent cannot be reached, does not answer in time,
     *                      or answers with a body above {@link #MAX_BODY_BYTES}
     */
    ApiResponse send(String method, String pathAndQuery, byte[] body) throws ApiException {
        return send(method, pathAndQuery, body, DEFAULT_TIMEOUT);
    }

    /**
     * Like {@link #send(String, String, byte[])} with its own time limit: blocking queries
     * ({@code watch}, {@code lock}) wait longer than the 30 s of ordinary calls.
     */
    ApiResponse send(String method, String pathAndQuery, byte[] body, Duration timeout) throws ApiException {
        HttpURLConnection c = open(method, pathAndQuery, body, timeout);
        try {
            int status = c.getResponseCode();
            byte[] b;
            try (InputStream in = answerStream(c, status)) {
                b = in == null ? new byte[0] : readBounded(in, c.getContentLengthLong());
            }
            return new ApiResponse(status, c.getHeaderFields(), b);
        } catch (IOException e) {
            c.disconnect();
            throw unreachable(e);
        }
    }

    /** Like {@link #send} but any non-2xx status is an {@link ApiException} with the agent's message. */
    byte[] call(String method, String pathAndQuery, byte[] body) throws ApiException {
        ApiResponse r = send(method, pathAndQuery, body);
        if (r.statusCode() / 100 != 2) {
            throw new ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode() + " ("
                    + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
        }
        return r.body();
    }

    /**
     * obs: a GET whose 2xx body is read as it arrives ({@code /v1/agent/monitor}); the caller closes the
     * stream. Only the head must arrive within the usual timeout; the body may last forever (reads of
     * it wait without limit, as a quiet agent logs nothing for long).
     *
     * <p>The head's limit is kept by a daemon watchdog thread that closes the connection when it
     * passes: {@code HttpURLConnection} applies one read timeout to head and body alike.
     *
     * @throws ApiException for a non-2xx answer (with the agent's message) or an unreachable agent
     */
    InputStream stream(String pathAndQuery) throws ApiException {
        HttpURLConnection c = open("GET", pathAndQuery, null, Duration.ZERO);
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(DEFAULT_TIMEOUT.toMillis());
                c.disconnect();
            } catch (InterruptedException e) {
                // The head arrived in time: nothing to do.
            }
        }, "tribune-monitor-head-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        int status;
        try {
            status = c.getResponseCode();
        } catch (IOException e) {
            c.disconnect();
            throw unreachable(e);
        } finally {
            watchdog.interrupt();
        }
        if (status / 100 != 2) {
            String msg;
            try (InputStream in = answerStream(c, status)) {
                msg = in == null ? "" : new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                msg = "";
            }
            throw new ApiException(status, "Unexpected response code: " + status + " (" + msg + ")");
        }
        try {
            return c.getInputStream();
        } catch (IOException e) {
            c.disconnect();
            throw unreachable(e);
        }
    }

    /**
     * Opens the connection and writes the request (head and body); the answer is read by the
     * caller. {@code timeout} zero: reads wait without limit.
     */
    private HttpURLConnection open(String method, String pathAndQuery, byte[] body, Duration timeout) throws ApiException {
        if (body != null && ("GET".equals(method) || "HEAD".equals(method))) {
            // HttpURLConnection would turn a GET with a body into a POST.
            throw new IllegalArgumentException(method + " takes no body");
        }
        URL url;
        try {
            url = new URL(base + pathAndQuery);
        } catch (MalformedURLException e) {
            throw new ApiException(0, "bad agent address " + base + ": " + e.getMessage());
        }
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
            if (c instanceof HttpsURLConnection s) {
                if (tls == null) {
                    throw new IllegalStateException("no TLS settings for " + url);
                }
                // The default host-name verifier stays: JSSE then leaves the name check to
                // HttpsClient's trust manager, which also honours -tls-server-name.
                s.setSSLSocketFactory(tls);
            }
            c.setRequestMethod(method);
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            c.setRequestProperty("Accept", "*/*");
            if (!token.isEmpty()) {
                c.setRequestProperty("X-Consul-Token", token);
            }
            // PUT and POST always carry a length (0 without a body), as HTTP/1.1 servers expect one.
            byte[] b = body != null ? body : "PUT".equals(method) || "POST".equals(method) ? new byte[0] : null;
            if (b != null) {
                c.setDoOutput(true);
                if (b.length > BUFFERED_BODY_BYTES) {
                    c.setFixedLengthStreamingMode(b.length);
                }
                try (OutputStream out = c.getOutputStream()) {
                    out.write(b);
                }
            }
            return c;
        } catch (IOException e) {
            if (c != null) {
                c.disconnect();
            }
            throw unreachable(e);
        }
    }

    /** The body of an answer: the error stream for 4xx/5xx (null when there is none). */
    private static InputStream answerStream(HttpURLConnection c, int status) throws IOException {
        return status >= 400 ? c.getErrorStream() : c.getInputStream();
    }

    /** Reads a whole body, refusing one above {@link #MAX_BODY_BYTES} before reading it when its length is announced. */
    static byte[] readBounded(InputStream in, long contentLength) throws IOException {
        if (contentLength > MAX_BODY_BYTES) {
            throw new TooLarge("the agent's answer of " + contentLength + " bytes is larger than the limit of "
                    + MAX_BODY_BYTES + " bytes");
        }
        if (contentLength >= 0) {
            byte[] b = in.readNBytes((int) contentLength);
            if (b.length < contentLength) {
                throw new IOException("the answer ended after " + b.length + " of " + contentLength + " bytes");
            }
            return b;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + (long) n > MAX_BODY_BYTES) {
                throw new TooLarge("the agent's answer is larger than the limit of " + MAX_BODY_BYTES + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** A body above {@link #MAX_BODY_BYTES}: the agent was reached, the answer is refused. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    private ApiException unreachable(IOException e) {
        if (e instanceof TooLarge) {
            return new ApiException(0, e.getMessage());
        }
        return new ApiException(0, "cannot reach the agent at " + base + ": "
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }

    String callText(String method, String pathAndQuery) throws ApiException {
        return new String(call(method, pathAndQuery, null), StandardCharsets.UTF_8);
    }
}
