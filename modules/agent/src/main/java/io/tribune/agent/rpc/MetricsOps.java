package io.tribune.agent.rpc;

import java.util.Objects;

/**
 * The agent's metrics as {@code /v1/agent/metrics} serves them: an agent operation (never
 * forwarded) that needs {@code agent:read} on the local node, as in Consul.
 */
public final class MetricsOps {
    /** Consul's answer (HTTP 415) to {@code ?format=prometheus} when {@code prometheus_retention_time} is zero. */
    public static final String PROMETHEUS_DISABLED = "Prometheus is not enabled since its retention time is not positive";

    private MetricsOps() {
    }

    /** Reads the metrics: Consul's JSON, or with {@code prometheus} the Prometheus text format. */
    public record Read(boolean prometheus) implements Op.LocalOp<Report> {
    }

    /**
     * A rendered answer.
     *
     * @param available   false when the format asked for is turned off (the body says why)
     * @param contentType the body's media type
     * @param body        the metrics, or the reason they are not available
     */
    public record Report(boolean available, String contentType, String body) {
        public Report {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }
    }
}
