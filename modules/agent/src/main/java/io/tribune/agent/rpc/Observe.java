package io.tribune.agent.rpc;

import io.tribune.agent.observe.LogLevel;
import java.util.Map;
import java.util.Objects;

/**
 * Operations that observe the agent that receives them ({@code /v1/agent/monitor},
 * {@code /v1/agent/host}). Never forwarded; the request layer authorizes them like every operation.
 */
public final class Observe {
    private Observe() {
    }

    /**
     * Permission to stream this agent's log at {@code level} (ACL {@code agent:read} on this node). The
     * answer is {@code true}; the front end then watches {@link io.tribune.agent.observe.LogBroker}.
     */
    public record Monitor(LogLevel level) implements Op.LocalOp<Boolean> {
        public Monitor {
            Objects.requireNonNull(level, "level");
        }
    }

    /**
     * Facts about this agent's machine, Consul's {@code /v1/agent/host} shape (see
     * {@link io.tribune.agent.observe.HostFacts}); ACL {@code operator:read}.
     */
    public record Host() implements Op.LocalOp<Map<String, Object>> {
    }
}
