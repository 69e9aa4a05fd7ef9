/**
 * Autopilot (Consul's {@code operator autopilot}): the replicated configuration's defaults and the
 * leader's server health report. The rules are pure functions of their inputs
 * ({@link io.tribune.agent.autopilot.ServerHealthRules}); the endpoints read consensus and gossip.
 */
package io.tribune.agent.autopilot;
