package io.tribune.http.internal;

import io.tribune.agent.platform.AgentMetrics;
import io.tribune.api.Clock;
import io.tribune.api.Metrics;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Consul's HTTP timers ({@code consul.http.<METHOD>.<route>}, Consul 1.4's shape, e.g.
 * {@code consul.http.GET.v1.kv._}): one per route prefix and method, made on first use and then
 * looked up by index, so that timing a request allocates nothing. Methods outside the usual seven
 * share {@code OTHER}, which keeps the number of names bounded whatever clients send. A route that
 * takes a variable rest counts every path under it under one name (Consul names some of its fixed
 * paths one by one: {@code v1.agent.self} is {@code v1.agent._} here).
 *
 * <p>Thread-safe.
 */
final class HttpTimers {
    // Before NONE: the constructor reads it.
    private static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH", "OTHER"};
    /** Records nothing. */
    static final HttpTimers NONE = new HttpTimers(null, null, List.of());
    private final AgentMetrics metrics;
    private final Clock clock;
    private final List<String> prefixes;
    private final AtomicReferenceArray<Metrics.Histogram> timers;

    /** Timers in {@code metrics} on {@code clock} for the route prefixes {@code prefixes}, in matching order. */
    HttpTimers(AgentMetrics metrics, Clock clock, List<String> prefixes) {
        this.metrics = metrics;
        this.clock = clock;
        this.prefixes = List.copyOf(prefixes);
        this.timers = new AtomicReferenceArray<>(this.prefixes.size() * METHODS.length);
    }

    /** Now, in the clock's nanoseconds (0 when nothing is recorded). */
    long start() {
        return clock == null ? 0 : clock.nanos();
    }

    /** Records a request on route number {@code route} (of the prefixes given) that started at {@code started}. */
    void record(int route, String method, long started) {
        if (clock == null || route < 0 || route >= prefixes.size()) {
            return;
        }
        int m = methodIndex(method);
        int i = route * METHODS.length + m;
        Metrics.Histogram t = timers.get(i);
        if (t == null) {
            t = metrics.httpTimer(METHODS[m], prefixes.get(route));
            timers.compareAndSet(i, null, t);
        }
        t.record(clock.nanos() - started);
    }

    private static int methodIndex(String method) {
        for (int i = 0; i < METHODS.length - 1; i++) {
            if (METHODS[i].equals(method)) {
                return i;
            }
        }
        return METHODS.length - 1;
    }
}
