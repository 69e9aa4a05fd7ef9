/**
 * Observability of the agent: its log lines in Consul's shape (levels TRACE..ERR, plain or hclog
 * JSON), the log file with rotation, the broker that streams lines to monitors
 * ({@code /v1/agent/monitor}), and facts about the host ({@code /v1/agent/host}).
 */
package io.tribune.agent.observe;
