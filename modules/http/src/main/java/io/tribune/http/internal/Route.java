package io.tribune.http.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Serves the requests under one path prefix. Called on an I/O thread: it must not block; slow work
 * (consensus, blocking queries) completes the future later.
 */
@FunctionalInterface
public interface Route {
    /**
     * @param request the request
     * @param rest    the path after the route's prefix (e.g. the key of {@code /v1/kv/})
     */
    CompletableFuture<HttpResponse> handle(HttpRequest request, String rest);
}
