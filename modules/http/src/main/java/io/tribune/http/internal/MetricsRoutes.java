package io.tribune.http.internal;

import io.tribune.agent.rpc.MetricsOps;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/agent/metrics}: the agent's metrics in Consul's JSON shape, or with
 * {@code ?format=prometheus} in the Prometheus text format; 415 with Consul's message when the
 * Prometheus output is off ({@code telemetry.prometheus_retention_time} is zero). The request
 * layer checks {@code agent:read} ({@link MetricsOps.Read}); rendering happens in the agent.
 */
final class MetricsRoutes {
    private final Requests requests;

    MetricsRoutes(Requests requests) {
        this.requests = requests;
    }

    CompletableFuture<HttpResponse> metrics(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        Params.method(req, "GET");
        boolean prometheus = req.param("format").filter("prometheus"::equals).isPresent();
        return Calls.value(requests, new MetricsOps.Read(prometheus), Options.DEFAULT.withToken(Params.token(req)))
                .thenApply(r -> HttpResponse.bytes(r.available() ? 200 : 415, r.contentType(),
                        r.body().getBytes(StandardCharsets.UTF_8)));
    }
}
