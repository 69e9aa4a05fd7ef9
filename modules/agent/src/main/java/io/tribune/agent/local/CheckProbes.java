package io.tribune.agent.local;

import io.tribune.agent.rpc.CheckType;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.state.HealthStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One run of a health check of each kind the agent runs itself: Consul's HTTP check (the JDK
 * client, the one place the agent speaks HTTP, and only outward to the checked service), TCP
 * connect, script (through {@link CheckScripts}), and the kinds of installed {@link CheckRunner}s
 * (gRPC health). Each run completes (never exceptionally) with the status and output, within the
 * check's timeout.
 *
 * <p>Thread-safe; nothing blocks.
 */
final class CheckProbes {
    private final Scheduler scheduler;
    private final CheckScripts scripts;
    private HttpClient httpClient;

    CheckProbes(Scheduler scheduler, CheckScripts scripts) {
        this.scheduler = scheduler;
        this.scripts = scripts;
    }

    /** Runs {@code def} once. */
    CompletableFuture<Map.Entry<HealthStatus, String>> run(CheckType def) {
        return !def.http().isEmpty() ? probeHttp(def)
                : !def.tcp().isEmpty() ? probeTcp(def)
                : !def.args().isEmpty() ? scripts.run(def.args(), def.timeout())
                : probeRunner(def);
    }

    private synchronized HttpClient httpClient() {
        if (httpClient == null) {
            httpClient = HttpClient.newBuilder().connectTimeout(CheckType.DEFAULT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER).executor(scheduler).build();
        }
        return httpClient;
    }

    /** Consul's HTTP check rule: 2xx passing, 429 warning, anything else critical. */
    private CompletableFuture<Map.Entry<HealthStatus, String>> probeHttp(CheckType def) {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(def.http())).timeout(def.timeout())
                    .method(def.method(), HttpRequest.BodyPublishers.noBody());
            def.headers().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(Map.entry(HealthStatus.CRITICAL,
                    "invalid HTTP check: " + e.getMessage()));
        }
        return httpClient().sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((r, err) -> {
            if (err != null) {
                Throwable c = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
                return Map.entry(HealthStatus.CRITICAL, "Get \"" + def.http() + "\": " + c);
            }
            byte[] body = r.body();
            String text = new String(body, 0, Math.min(body.length, LocalState.MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
            String out = "HTTP " + def.method() + " " + def.http() + ": " + r.statusCode() + " Output: " + text;
            HealthStatus s = r.statusCode() >= 200 && r.statusCode() < 300 ? HealthStatus.PASSING
                    : r.statusCode() == 429 ? HealthStatus.WARNING : HealthStatus.CRITICAL;
            return Map.entry(s, out);
        });
    }

    /** A check of a {@link CheckRunner} (e.g. gRPC health); a runner that overruns the timeout is critical. */
    private CompletableFuture<Map.Entry<HealthStatus, String>> probeRunner(CheckType def) {
        CheckRunner r = CheckDefinitions.runners().get(def.runner());
        CompletableFuture<Map.Entry<HealthStatus, String>> f = new CompletableFuture<>();
        try {
            r.run(def.target(), def.options(), def.timeout()).whenComplete((res, err) -> f.complete(err != null
                    ? Map.entry(HealthStatus.CRITICAL, def.runner() + " check failed: " + err)
                    : Map.entry(res.status(), res.output())));
        } catch (RuntimeException e) {
            f.complete(Map.entry(HealthStatus.CRITICAL, def.runner() + " check failed: " + e));
        }
        // A grace second beyond the timeout: the runner's own timeout message is the better one.
        Cancellable timeout = scheduler.schedule(def.timeout().plusSeconds(1), () -> f.complete(Map.entry(
                HealthStatus.CRITICAL, def.runner() + " check " + def.target() + ": timed out after "
                        + def.timeout().toMillis() + "ms")));
        return f.whenComplete((x, e) -> timeout.cancel());
    }

    /** A TCP check passes when a connection opens within the timeout. */
    private CompletableFuture<Map.Entry<HealthStatus, String>> probeTcp(CheckType def) {
        CompletableFuture<Map.Entry<HealthStatus, String>> f = new CompletableFuture<>();
        int colon = def.tcp().lastIndexOf(':');
        AsynchronousSocketChannel ch;
        try {
            InetSocketAddress addr = new InetSocketAddress(def.tcp().substring(0, colon),
                    Integer.parseInt(def.tcp().substring(colon + 1)));
            ch = AsynchronousSocketChannel.open();
            ch.connect(addr, null, new CompletionHandler<Void, Void>() {
                @Override
                public void completed(Void v, Void a) {
                    f.complete(Map.entry(HealthStatus.PASSING, "TCP connect " + def.tcp() + ": Success"));
                }

                @Override
                public void failed(Throwable t, Void a) {
                    f.complete(Map.entry(HealthStatus.CRITICAL, "dial tcp " + def.tcp() + ": " + t));
                }
            });
        } catch (Exception e) {
            return CompletableFuture.completedFuture(Map.entry(HealthStatus.CRITICAL,
                    "dial tcp " + def.tcp() + ": " + e));
        }
        Cancellable timeout = scheduler.schedule(def.timeout(), () -> f.complete(Map.entry(HealthStatus.CRITICAL,
                "dial tcp " + def.tcp() + ": i/o timeout")));
        return f.whenComplete((r, e) -> {
            timeout.cancel();
            try {
                ch.close();
            } catch (java.io.IOException ignored) {
                // closing a probe socket cannot fail in a way that matters
            }
        });
    }
}
