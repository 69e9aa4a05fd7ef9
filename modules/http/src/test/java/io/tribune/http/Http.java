package io.tribune.http;

import static io.tribune.agent.testing.TestCluster.LIMIT;
import static io.tribune.agent.testing.TestCluster.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.Agent;
import io.tribune.agent.testing.TestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The HTTP helpers the HTTP API's tests share: exchanges with an agent's {@code /v1} API, bounded by {@link TestCluster#LIMIT}. */
final class Http {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Http() {
    }

    /**
     * Waits until every running agent (which registers itself in the catalog, clients and
     * followers through forwarding) is listed by {@code /v1/catalog/nodes<query>} on the first
     * running server; asserts that it happens.
     */
    public static void awaitEveryNodeInCatalog(TestCluster cluster, String query) throws InterruptedException {
        List<String> names = new ArrayList<>();
        cluster.servers().forEach(s -> names.add(s.config().nodeName()));
        cluster.clients().forEach(c -> names.add(c.config().nodeName()));
        Agent on = cluster.servers().get(0);
        assertTrue(waitFor(() -> {
            String nodes = bodyOf(on, "/v1/catalog/nodes" + query);
            return names.stream().allMatch(n -> nodes.contains("\"Node\":\"" + n + "\""));
        }), "not every agent registered itself in the catalog: " + names);
    }

    /**
     * Registers the external node {@code node} at {@code address} with service {@code service}
     * (port 80) through {@code via} ({@code PUT /v1/catalog/register}, asserting 200), then waits
     * until a stale health read on {@code readBack} lists it; asserts that it does.
     */
    public static void registerService(Agent via, String node, String address, String service, Agent readBack)
            throws Exception {
        HttpResponse<String> reg = send(via, "PUT", "/v1/catalog/register", "{\"Node\": \"" + node + "\","
                + " \"Address\": \"" + address + "\", \"Service\": {\"Service\": \"" + service + "\", \"Port\": 80}}");
        assertEquals(200, reg.statusCode(), reg.body());
        assertTrue(waitFor(() -> bodyOf(readBack, "/v1/health/service/" + service + "?stale").contains(node)),
                "the registration of " + node + " did not reach " + readBack.config().nodeName());
    }

    /** {@code http://127.0.0.1:<port>} of {@code a}'s HTTP API. */
    public static String base(Agent a) {
        return "http://127.0.0.1:" + a.httpAddress().orElseThrow().getPort();
    }

    /** One exchange with {@code a}'s HTTP API; {@code body} null sends none. */
    public static <T> CompletableFuture<HttpResponse<T>> exchange(Agent a, String method, String path, byte[] body,
                                                                 Map<String, String> headers,
                                                                 HttpResponse.BodyHandler<T> answer) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(a) + path)).timeout(LIMIT);
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.sendAsync(b.build(), answer);
    }

    /** Sends {@code body} (UTF-8, or none when null) and returns the answer as text, at most {@link #LIMIT} later. */
    public static HttpResponse<String> send(Agent a, String method, String path, String body) throws Exception {
        return send(a, method, path, body, Map.of());
    }

    /** {@link #send(Agent, String, String, String)} with extra request headers. */
    public static HttpResponse<String> send(Agent a, String method, String path, String body,
                                            Map<String, String> headers) throws Exception {
        return await(sendAsync(a, method, path, body, headers));
    }

    /** Sends a binary {@code body} (none when null) and returns the answer as text. */
    public static HttpResponse<String> sendBytes(Agent a, String method, String path, byte[] body) throws Exception {
        return await(exchange(a, method, path, body, Map.of(), HttpResponse.BodyHandlers.ofString()));
    }

    /** The answer of a {@code GET} as bytes. */
    public static HttpResponse<byte[]> getBytes(Agent a, String path) throws Exception {
        return await(exchange(a, "GET", path, null, Map.of(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    /** Sends without waiting for the answer (a blocking query, say). */
    public static CompletableFuture<HttpResponse<String>> sendAsync(Agent a, String method, String path, String body) {
        return sendAsync(a, method, path, body, Map.of());
    }

    private static CompletableFuture<HttpResponse<String>> sendAsync(Agent a, String method, String path, String body,
                                                                     Map<String, String> headers) {
        return exchange(a, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers,
                HttpResponse.BodyHandlers.ofString());
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException, ExecutionException,
            TimeoutException {
        return f.get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The body of a 200 answer to {@code GET path}; empty for any other status or a failed exchange. */
    public static String bodyOf(Agent a, String path) {
        try {
            HttpResponse<String> r = send(a, "GET", path, null);
            return r.statusCode() == 200 ? r.body() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (Exception e) {
            return "";
        }
    }

}
