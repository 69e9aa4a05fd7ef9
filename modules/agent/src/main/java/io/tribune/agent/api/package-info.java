/**
 * The Consul-compatible HTTP API of the agent. {@link io.tribune.agent.api.AgentApi} registers
 * every {@code /v1} endpoint group on the agent's HTTP server:
 * <ul>
 *   <li>{@code /v1/kv/<key>} (recurse, keys, separator, cas, flags, acquire, release, raw) and
 *       {@code /v1/txn} (KV operations; 409 with {@code Errors} when one fails);</li>
 *   <li>{@code /v1/session/create|destroy|renew|info|node|list};</li>
 *   <li>{@code /v1/catalog/register|deregister|datacenters|nodes|services|service/<s>|node/<n>};</li>
 *   <li>{@code /v1/health/node/<n>|checks/<s>|service/<s>|state/<state>} (tag, passing, node-meta);</li>
 *   <li>{@code /v1/agent/self|members|services|checks|service/register|service/deregister/<id>|
 *       service/maintenance/<id>|check/register|check/deregister/<id>|check/pass|warn|fail|update/<id>|
 *       maintenance|join/<addr>|leave|force-leave/<node>};</li>
 *   <li>{@code /v1/status/leader|peers}, {@code /v1/event/fire/<name>|list},
 *       {@code /v1/coordinate/datacenters|nodes|node/<n>|update}.</li>
 * </ul>
 *
 * <p>Every write is a {@link io.tribune.state.Command} validated with
 * {@link io.tribune.state.CommandValidator} and proposed through consensus; every read passes the
 * read barrier of its consistency mode ({@code ?stale}, {@code ?consistent}) and supports
 * blocking queries ({@code ?index=&wait=}) on the watch target it reads, with Consul's
 * {@code X-Consul-Index}, {@code X-Consul-KnownLeader} and {@code X-Consul-LastContact} headers.
 * Request bodies are read as Consul reads them (field names without regard to case, unknown
 * fields ignored); a field of the wrong type, malformed JSON, an oversize key or value, an
 * invalid session id or a bad query parameter is answered with a 4xx whose plain-text body says
 * what to fix, and changes nothing. {@code ?dc} other than the local datacenter gets Consul's 500
 * "No path to datacenter".
 *
 * <p>The agent's own services and checks live in a local state that is the source of truth and
 * is written to the catalog for the local node; TTL checks expire to critical, HTTP and TCP
 * checks are probed on their interval. The leader invalidates expired TTL sessions and reaps old
 * KV tombstones.
 */
package io.tribune.agent.api;
