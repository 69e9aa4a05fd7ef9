/**
 * The agent's telemetry (not exported): one Micrometer registry per agent with Prometheus
 * exposition, Consul's JSON intervals beside it, the name table from plugin metrics to Consul's
 * names, the JVM's runtime figures and the {@code telemetry} settings. The exported face is
 * {@link io.tribune.agent.platform.AgentMetrics}; {@code docs/metrics.md} lists every metric.
 */
package io.tribune.agent.metrics;
