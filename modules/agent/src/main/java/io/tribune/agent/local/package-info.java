/**
 * The agent's own node: its services and checks ({@link io.tribune.agent.local.LocalState}, the
 * source of truth that anti-entropy writes to the catalog), health-check probes (TTL, HTTP, TCP,
 * script, and kinds contributed by other modules through {@link io.tribune.agent.local.CheckRunner}),
 * the agent operations' endpoints ({@link io.tribune.agent.local.LocalEndpoints}), and the reader of
 * Consul's service and check definitions shared by the API and the config files
 * ({@link io.tribune.agent.local.CheckDefinitions}, {@link io.tribune.agent.local.JsonIn}).
 */
package io.tribune.agent.local;
