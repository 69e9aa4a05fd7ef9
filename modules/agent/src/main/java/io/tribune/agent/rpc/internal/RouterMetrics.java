package io.tribune.agent.rpc.internal;

import io.tribune.agent.metrics.ConsulNames;
import io.tribune.agent.platform.AgentMetrics;
import io.tribune.agent.rpc.Op;
import io.tribune.api.Metrics;

/**
 * The request layer's telemetry, in Consul's names: {@code consul.rpc.request} (a request another
 * agent sent to this server), {@code consul.rpc.query} (a read this server serves) and the timers
 * of writes the leader carries out ({@code consul.kvs.apply}, {@code consul.catalog.register}, ...,
 * {@link ConsulNames#write}). The timer of an operation class is looked up once and kept, so a
 * request costs an array-free class lookup, not a name.
 *
 * <p>Thread-safe.
 */
final class RouterMetrics {
    /** Records nothing: the router before the agent hands it its metrics. */
    static final RouterMetrics NONE = new RouterMetrics(null);
    private static final Metrics.Histogram NO_TIMER = v -> { };
    private final Metrics.Counter rpcRequest;
    private final Metrics.Counter rpcQuery;
    private final ClassValue<Metrics.Histogram> timers;

    RouterMetrics(AgentMetrics m) {
        this.rpcRequest = m == null ? d -> { } : m.counter("rpc.request");
        this.rpcQuery = m == null ? d -> { } : m.counter("rpc.query");
        this.timers = new ClassValue<>() {
            @Override
            protected Metrics.Histogram computeValue(Class<?> type) {
                return m == null ? NO_TIMER : ConsulNames.write(Op.nameOf(type)).map(m::timer).orElse(NO_TIMER);
            }
        };
    }

    Metrics.Counter rpcRequest() {
        return rpcRequest;
    }

    Metrics.Counter rpcQuery() {
        return rpcQuery;
    }

    /** The timer of writes of {@code op}'s class, in nanoseconds; one that discards when Consul has none. */
    Metrics.Histogram writeTimer(Op<?> op) {
        return timers.get(op.getClass());
    }
}
