package io.tribune.agent.rpc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How an agent-local check gets its status (Consul's {@code CheckType}): exactly one of a TTL, an
 * HTTP URL, a TCP address, a script ({@code args}) or the target of a check runner contributed by
 * another module (e.g. gRPC health), plus the probe's interval, timeout and flap thresholds. Parsed
 * from Consul's JSON by {@code io.tribune.agent.local.CheckDefinitions}.
 *
 * @param ttl                    for a TTL check: how long a status holds without an update; null otherwise
 * @param http                   for an HTTP check: the URL; "" otherwise
 * @param method                 HTTP method (GET by default)
 * @param headers                HTTP request headers
 * @param tcp                    for a TCP check: {@code host:port}; "" otherwise
 * @param args                   for a script check: the command and its arguments; empty otherwise
 * @param runner                 for a runner's check: its lower-case field (e.g. {@code grpc}); "" otherwise
 * @param target                 the runner's target (e.g. {@code host:port/service})
 * @param options                the runner's option fields
 * @param interval               probe interval for HTTP, TCP, script and runner checks; null for TTL
 *                               and for checks that are never probed
 * @param timeout                probe timeout
 * @param successBeforePassing   passing results in a row needed to report passing (0 and 1: at once)
 * @param failuresBeforeCritical failing results in a row needed to report a failure (0 and 1: at once)
 */
public record CheckType(Duration ttl, String http, String method, Map<String, List<String>> headers, String tcp,
                        List<String> args, String runner, String target, Map<String, String> options,
                        Duration interval, Duration timeout, int successBeforePassing, int failuresBeforeCritical) {
    /** Probe timeout when the definition gives none, Consul's default: 10 s. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** A check that nothing probes or expires: its status changes only when set (maintenance checks). */
    public static final CheckType NONE = new CheckType(null, "", "GET", Map.of(), "", List.of(), "", "", Map.of(),
            null, DEFAULT_TIMEOUT, 0, 0);

    public CheckType {
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(tcp, "tcp");
        Objects.requireNonNull(runner, "runner");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(timeout, "timeout");
        headers = Map.copyOf(headers);
        args = List.copyOf(args);
        options = Map.copyOf(options);
        if (successBeforePassing < 0 || failuresBeforeCritical < 0) {
            throw AgentException.badRequest("check thresholds must not be negative");
        }
    }

    /** Whether it is a TTL check. */
    public boolean isTtl() {
        return ttl != null;
    }

    /** Whether the agent probes it on its interval. */
    public boolean isProbed() {
        return !http.isEmpty() || !tcp.isEmpty() || !args.isEmpty() || !runner.isEmpty();
    }

    /** Consul's check type name: {@code ttl}, {@code http}, {@code tcp}, {@code script}, a runner's, or "". */
    public String type() {
        return isTtl() ? "ttl" : !http.isEmpty() ? "http" : !tcp.isEmpty() ? "tcp" : !args.isEmpty() ? "script" : runner;
    }
}
