package io.tribune.http.internal;

import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Runs an operation through the request layer and turns its answer into an HTTP response with
 * Consul's headers: {@code X-Consul-Index} (at least 1), {@code X-Consul-KnownLeader},
 * {@code X-Consul-LastContact} (ms), {@code X-Consul-Effective-Consistency} ({@code leader},
 * {@code consistent} or {@code stale}), and for {@code ?cached} reads {@code X-Cache} and {@code Age}.
 * Failures travel as the request layer's errors, which the server maps to statuses in one table.
 */
final class Calls {
    private Calls() {
    }

    /** A read: the operation's value rendered by {@code render}, with the query headers. */
    static <R> CompletableFuture<HttpResponse> read(Requests requests, Op<R> op, Options options,
                                                    Function<R, HttpResponse> render) {
        return requests.call(op, options).thenApply(r -> queryHeaders(render.apply(r.value()), r.meta(),
                options.cached()));
    }

    /** A write (or an agent operation): the value, for the caller to render. */
    static <R> CompletableFuture<R> value(Requests requests, Op<R> op, Options options) {
        return requests.call(op, options).thenApply(Response::value);
    }

    /** Adds Consul's query headers of {@code m} to {@code r}. */
    static HttpResponse queryHeaders(HttpResponse r, Response.Meta m, boolean cached) {
        r.header("X-Consul-Index", Long.toString(Math.max(1, m.index())));
        r.header("X-Consul-KnownLeader", Boolean.toString(m.knownLeader()));
        r.header("X-Consul-LastContact", Long.toString(m.lastContact().toMillis()));
        r.header("X-Consul-Effective-Consistency", effective(m.servedAs()));
        if (cached) {
            r.header("X-Cache", m.cacheHit() ? "HIT" : "MISS");
            r.header("Age", Long.toString(m.cacheAge().toSeconds()));
        }
        return r;
    }

    /** Consul's name of the consistency a read was served with. */
    static String effective(ReadConsistency c) {
        return switch (c) {
            case STALE -> "stale";
            case CONSISTENT -> "consistent";
            case DEFAULT -> "leader";
        };
    }
}
