package io.tribune.dns.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.tribune.agent.api.StaleReads;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.ServiceHealth;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The catalog of a client agent's DNS interface: each lookup is sent as a stale HTTP read
 * ({@code /v1/catalog/node/<name>?stale}, {@code /v1/health/service/<name>?stale[&tag=]}, with
 * {@code &max_stale=} when bounded) through the agent's request forwarding to a server, and the
 * Consul-shaped JSON answer is read back into
 * catalog records. A lookup waits at most {@code timeout} (a DNS client gives up after a few
 * seconds anyway); no answer, an error status or a malformed body is
 * {@link DnsCatalog.UnavailableException}, which the resolver answers with SERVFAIL.
 */
public final class ForwardingDnsCatalog implements DnsCatalog {
    /** Largest forwarded answer read (a service with thousands of instances fits). */
    static final int MAX_BODY_BYTES = 8 << 20;
    private final Function<HttpRequest, CompletableFuture<HttpResponse>> forward;
    private final Duration timeout;
    private final Optional<Duration> maxStale;

    /**
     * Unbounded stale reads (Consul's DNS default, {@code allow_stale} with a 10-year {@code max_stale}).
     *
     * @param forward sends a request to a server and completes with its answer (the agent's
     *                {@code rpc().forwardIfRemote})
     * @param timeout how long one lookup may wait
     */
    public ForwardingDnsCatalog(Function<HttpRequest, CompletableFuture<HttpResponse>> forward, Duration timeout) {
        this(forward, timeout, Optional.empty());
    }

    /**
     * @param forward  sends a request to a server and completes with its answer (the agent's
     *                 {@code rpc().forwardIfRemote}, or on a server its own routes)
     * @param timeout  how long one lookup may wait
     * @param maxStale when present, each lookup also carries {@code ?max_stale=<bound>} (the agent's
     *                 {@code discovery_max_stale}): a server whose last contact with the leader is
     *                 older sends it on to the leader
     */
    public ForwardingDnsCatalog(Function<HttpRequest, CompletableFuture<HttpResponse>> forward, Duration timeout,
                                Optional<Duration> maxStale) {
        this.forward = forward;
        this.timeout = timeout;
        this.maxStale = maxStale;
    }

    @Override
    public Optional<Node> node(String name) {
        Optional<JsonElement> body = get("/v1/catalog/node/" + name, Map.of());
        if (body.isEmpty() || !body.get().isJsonObject() || !body.get().getAsJsonObject().has("Node")) {
            return Optional.empty();
        }
        try {
            return Optional.of(node(body.get().getAsJsonObject().getAsJsonObject("Node")));
        } catch (RuntimeException e) {
            throw new UnavailableException("malformed node answer from the server: " + e.getMessage());
        }
    }

    @Override
    public List<ServiceHealth> serviceHealth(String service, String tag) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (tag != null) {
            q.put("tag", List.of(tag));
        }
        Optional<JsonElement> body = get("/v1/health/service/" + service, q);
        if (body.isEmpty()) {
            return List.of();
        }
        try {
            JsonArray a = body.get().getAsJsonArray();
            List<ServiceHealth> out = new ArrayList<>(a.size());
            for (JsonElement e : a) {
                JsonObject o = e.getAsJsonObject();
                Node n = node(o.getAsJsonObject("Node"));
                out.add(new ServiceHealth(n, service(o.getAsJsonObject("Service")), checks(o.getAsJsonArray("Checks"))));
            }
            return out;
        } catch (RuntimeException e) {
            throw new UnavailableException("malformed health answer from the server: " + e.getMessage());
        }
    }

    /** The parsed 200 answer; empty for a 404; anything else is unavailable. */
    private Optional<JsonElement> get(String path, Map<String, List<String>> params) {
        Map<String, List<String>> q = new LinkedHashMap<>(params);
        q.put(StaleReads.STALE, List.of(""));
        maxStale.ifPresent(d -> q.put(StaleReads.MAX_STALE, List.of(StaleReads.formatBound(d))));
        HttpRequest req = new HttpRequest("GET", path, q, Map.of(), new byte[0], "dns");
        HttpResponse r;
        try {
            r = forward.apply(req).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        } catch (ExecutionException e) {
            throw new UnavailableException("forwarding failed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new UnavailableException("no answer from a server within " + timeout.toMillis() + " ms");
        } catch (RuntimeException e) {
            throw new UnavailableException("forwarding failed: " + e.getMessage());
        }
        if (r.status() == 404) {
            return Optional.empty();
        }
        if (r.status() != 200) {
            throw new UnavailableException("server answered " + r.status());
        }
        if (r.body().length > MAX_BODY_BYTES) {
            throw new UnavailableException("answer larger than " + MAX_BODY_BYTES + " bytes");
        }
        try {
            JsonElement e = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8));
            return e.isJsonNull() ? Optional.empty() : Optional.of(e);
        } catch (JsonParseException e) {
            throw new UnavailableException("malformed answer from the server: " + e.getMessage());
        }
    }

    private static Node node(JsonObject o) {
        return new Node(str(o, "ID"), o.get("Node").getAsString(), str(o, "Address"), str(o, "Datacenter"),
                strMap(o, "TaggedAddresses"), strMap(o, "Meta"), 0, 0);
    }

    private static NodeService service(JsonObject o) {
        NodeService.Weights w = NodeService.Weights.DEFAULT;
        if (o.has("Weights") && o.get("Weights").isJsonObject()) {
            JsonObject wo = o.getAsJsonObject("Weights");
            w = new NodeService.Weights(wo.get("Passing").getAsInt(), wo.get("Warning").getAsInt());
        }
        return new NodeService(str(o, "ID"), o.get("Service").getAsString(), strList(o, "Tags"), str(o, "Address"),
                strMap(o, "Meta"), o.has("Port") ? o.get("Port").getAsInt() : 0, w, false, 0, 0);
    }

    private static List<HealthCheck> checks(JsonArray a) {
        List<HealthCheck> out = new ArrayList<>();
        if (a == null) {
            return out;
        }
        for (JsonElement e : a) {
            JsonObject c = e.getAsJsonObject();
            out.add(new HealthCheck(c.get("Node").getAsString(), c.get("CheckID").getAsString(), str(c, "Name"),
                    HealthStatus.fromWire(c.get("Status").getAsString()), str(c, "Notes"), "", str(c, "ServiceID"),
                    str(c, "ServiceName"), strList(c, "ServiceTags"), str(c, "Type"), 0, 0));
        }
        return out;
    }

    private static String str(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static Map<String, String> strMap(JsonObject o, String k) {
        Map<String, String> m = new LinkedHashMap<>();
        JsonElement e = o.get(k);
        if (e != null && e.isJsonObject()) {
            e.getAsJsonObject().entrySet().forEach(x -> m.put(x.getKey(), x.getValue().isJsonNull() ? ""
                    : x.getValue().getAsString()));
        }
        return m;
    }

    private static List<String> strList(JsonObject o, String k) {
        List<String> l = new ArrayList<>();
        JsonElement e = o.get(k);
        if (e != null && e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> l.add(x.getAsString()));
        }
        return l;
    }
}
