package io.tribune.dns.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.state.HealthStatus;
import io.tribune.state.ServiceHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Reading forwarded Consul-JSON answers back into catalog records, and every way that fails. */
class ForwardingDnsCatalogTest {
    private final List<HttpRequest> asked = new ArrayList<>();

    private ForwardingDnsCatalog catalog(Function<HttpRequest, CompletableFuture<HttpResponse>> f) {
        return new ForwardingDnsCatalog(r -> {
            asked.add(r);
            return f.apply(r);
        }, Duration.ofMillis(200));
    }

    private static CompletableFuture<HttpResponse> json(int status, String body) {
        return CompletableFuture.completedFuture(HttpResponse.json(status, body));
    }

    @Test
    void serviceHealthIsParsedWithWeightsTagsAndCheckStatuses() {
        String body = "[{\"Node\": {\"ID\": \"i\", \"Node\": \"n1\", \"Address\": \"10.0.0.1\", \"Datacenter\": \"dc1\","
                + " \"TaggedAddresses\": {}, \"Meta\": {\"k\": \"v\"}},"
                + " \"Service\": {\"ID\": \"web-1\", \"Service\": \"web\", \"Tags\": [\"v1\"], \"Address\": \"10.9.9.9\","
                + " \"Meta\": {}, \"Port\": 80, \"Weights\": {\"Passing\": 10, \"Warning\": 2}},"
                + " \"Checks\": [{\"Node\": \"n1\", \"CheckID\": \"serfHealth\", \"Status\": \"passing\"},"
                + " {\"Node\": \"n1\", \"CheckID\": \"service:web-1\", \"Status\": \"warning\", \"ServiceID\": \"web-1\"}]}]";
        List<ServiceHealth> r = catalog(q -> json(200, body)).serviceHealth("web", "v1");
        assertEquals(1, r.size());
        ServiceHealth h = r.get(0);
        assertEquals("n1", h.node().node());
        assertEquals("v", h.node().meta().get("k"));
        assertEquals("10.9.9.9", h.service().address());
        assertEquals(80, h.service().port());
        assertEquals(10, h.service().weights().passing());
        assertEquals(List.of("v1"), h.service().tags());
        assertEquals(HealthStatus.WARNING, h.aggregateStatus());
        HttpRequest q = asked.get(0);
        assertEquals("/v1/health/service/web", q.path());
        assertTrue(q.has("stale"), "DNS reads are stale reads");
        assertEquals("v1", q.param("tag").orElseThrow());
    }

    @Test
    void aBoundTravelsAsMaxStaleAndNoBoundMeansUnboundedStale() {
        ForwardingDnsCatalog bounded = new ForwardingDnsCatalog(r -> {
            asked.add(r);
            return json(200, "[]");
        }, Duration.ofMillis(200), java.util.Optional.of(Duration.ofSeconds(90)));
        bounded.serviceHealth("web", null);
        HttpRequest q = asked.get(0);
        assertTrue(q.has("stale"));
        assertEquals("1m30s", q.param("max_stale").orElseThrow());
        catalog(r -> json(200, "[]")).serviceHealth("web", null);
        assertTrue(asked.get(1).has("stale"));
        assertTrue(!asked.get(1).has("max_stale"), "without discovery_max_stale DNS reads stay unbounded");
    }

    @Test
    void nodeIsParsedAndAMissingNodeIsEmpty() {
        assertEquals("10.0.0.7", catalog(q -> json(200, "{\"Node\": {\"Node\": \"n7\", \"Address\": \"10.0.0.7\"},"
                + " \"Services\": {}}")).node("n7").orElseThrow().address());
        assertTrue(catalog(q -> json(200, "null")).node("n8").isEmpty());
        assertTrue(catalog(q -> json(404, "")).node("n8").isEmpty());
        assertEquals(List.of(), catalog(q -> json(200, "[]")).serviceHealth("none", null));
    }

    @Test
    void errorsTimeoutsAndMalformedAnswersAreUnavailable() {
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> json(500, "No known Consul servers"))
                .serviceHealth("web", null));
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> CompletableFuture.failedFuture(
                new HttpError(500, "No known Consul servers"))).node("n1"));
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> new CompletableFuture<>())
                .serviceHealth("web", null));
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> json(200, "{not json"))
                .serviceHealth("web", null));
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> json(200, "[{\"Node\": 3}]"))
                .serviceHealth("web", null));
        assertThrows(DnsCatalog.UnavailableException.class, () -> catalog(q -> json(200,
                "[{\"Node\": {\"Node\": \"n\"}, \"Service\": {\"Service\": \"s\"}, \"Checks\": [{\"Node\": \"n\","
                        + " \"CheckID\": \"c\", \"Status\": \"sideways\"}]}]")).serviceHealth("s", null));
    }
}
