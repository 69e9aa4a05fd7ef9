package io.tribune.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The CLI's view of the local agent's HTTP API ({@code -http-addr}, else {@code TRIBUNE_HTTP_ADDR}
 * or {@code CONSUL_HTTP_ADDR}, else {@code 127.0.0.1:8500}). HTTPS for an {@code https://} address
 * or with {@code CONSUL_HTTP_SSL=true}, with the TLS flags of {@link TlsOptions}.
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

    private final String base;
    /** The ACL token sent as {@code X-Consul-Token}; "" for none. */
    private final String token;
    private final HttpClient http;

    ApiClient(String httpAddr) {
        this(httpAddr, null);
    }

    ApiClient(String httpAddr, String token) {
        this(httpAddr, token, HttpsClient.Settings.NONE);
    }

    /**
     * @param token the ACL token ({@code -token}); null or blank: {@code CONSUL_HTTP_TOKEN} (or
     *              {@code TRIBUNE_HTTP_TOKEN}), else none
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
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (base.startsWith("https://")) {
            b.sslContext(HttpsClient.context(tls));
        }
        this.http = b.build();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
    }

    /** Sends a request and returns the body of a 2xx answer. */
    HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body) throws ApiException {
        return send(method, pathAndQuery, body, Duration.ofSeconds(30));
    }

    /**
     * Like {@link #send(String, String, byte[])} with its own time limit: blocking queries
     * ({@code watch}, {@code lock}) wait longer than the 30 s of ordinary calls.
     */
    HttpResponse<byte[]> send(String method, String pathAndQuery, byte[] body, Duration timeout) throws ApiException {
        return exchange(method, pathAndQuery, body, HttpResponse.BodyHandlers.ofByteArray(), timeout);
    }

    /** One exchange with the agent; a transport failure is an {@link ApiException} with status 0. */
    private <T> HttpResponse<T> exchange(String method, String pathAndQuery, byte[] body,
                                         HttpResponse.BodyHandler<T> handler, Duration timeout) throws ApiException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout);
        if (!token.isEmpty()) {
            b.header("X-Consul-Token", token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return http.send(b.build(), handler);
        } catch (IOException e) {
            throw new ApiException(0, "cannot reach the agent at " + base + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted");
        }
    }

    /** Like {@link #send} but any non-2xx status is an {@link ApiException} with the agent's message. */
    byte[] call(String method, String pathAndQuery, byte[] body) throws ApiException {
        HttpResponse<byte[]> r = send(method, pathAndQuery, body);
        if (r.statusCode() / 100 != 2) {
            throw new ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode() + " ("
                    + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
        }
        return r.body();
    }

    /**
     * obs: a GET whose 2xx body is read as it arrives ({@code /v1/agent/monitor}); the caller closes the
     * stream. Only the head must arrive within the usual timeout; the body may last forever.
     */
    java.io.InputStream stream(String pathAndQuery) throws ApiException {
        HttpResponse<java.io.InputStream> r = exchange("GET", pathAndQuery, null,
                HttpResponse.BodyHandlers.ofInputStream(), Duration.ofSeconds(30));
        if (r.statusCode() / 100 != 2) {
            String msg;
            try (java.io.InputStream in = r.body()) {
                msg = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                msg = "";
            }
            throw new ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode() + " (" + msg + ")");
        }
        return r.body();
    }

    String callText(String method, String pathAndQuery) throws ApiException {
        return new String(call(method, pathAndQuery, null), StandardCharsets.UTF_8);
    }
}
