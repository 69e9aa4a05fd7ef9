package io.tribune.http.internal;

import io.tribune.api.PluginConfig;
import java.time.Duration;

/**
 * What one client may hold of the HTTP listener, so that misbehaving clients cannot starve the
 * agent (slowloris connections that never finish a request, thousands of idle connections that
 * exhaust the process's file descriptors).
 *
 * @param maxConnsPerClient most open connections from one client IP address; 0 means no limit.
 *                          Consul's {@code limits.http_max_conns_per_client}, default 200. A
 *                          connection over the limit is answered 429 and closed.
 * @param readTimeout       how long a client has to send a whole request (headers and body), counted
 *                          from the connection's accept for its first request and from the first
 *                          byte for later ones; default 30 s. A slow body upload of the largest
 *                          request (4 MiB) needs only ~1.1 Mbit/s to fit.
 * @param idleTimeout       how long a keep-alive connection may wait for its next request; default
 *                          120 s, longer than the 90 s after which Go's HTTP clients (Consul's API
 *                          client) drop idle connections themselves, so a client rarely reuses one
 *                          the agent is closing. A request being served (a blocking query held for
 *                          minutes) is never cut by either timeout.
 */
public record HttpLimits(int maxConnsPerClient, Duration readTimeout, Duration idleTimeout) {
    /** Configuration key of {@link #maxConnsPerClient} (set from Consul's {@code limits.http_max_conns_per_client}). */
    public static final String MAX_CONNS_PER_CLIENT_KEY = "http.max-conns-per-client";
    /** Configuration key of {@link #readTimeout}. */
    public static final String READ_TIMEOUT_KEY = "http.read-timeout";
    /** Configuration key of {@link #idleTimeout}. */
    public static final String IDLE_TIMEOUT_KEY = "http.idle-timeout";
    /** The defaults described above. */
    public static final HttpLimits DEFAULT = new HttpLimits(200, Duration.ofSeconds(30), Duration.ofSeconds(120));

    /**
     * @throws IllegalArgumentException naming the key when a value is out of range
     */
    public HttpLimits {
        if (maxConnsPerClient < 0) {
            throw new IllegalArgumentException(MAX_CONNS_PER_CLIENT_KEY + " must be >= 0 (0: no limit), got "
                    + maxConnsPerClient);
        }
        check(READ_TIMEOUT_KEY, readTimeout);
        check(IDLE_TIMEOUT_KEY, idleTimeout);
    }

    private static void check(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(key + " must be more than 0 and at most 1h, got " + d);
        }
    }

    /**
     * The limits given in the agent's plugin configuration, defaults for absent keys.
     *
     * @throws IllegalArgumentException naming the key when a value is malformed or out of range
     */
    public static HttpLimits from(PluginConfig config) {
        return new HttpLimits(config.getInt(MAX_CONNS_PER_CLIENT_KEY, DEFAULT.maxConnsPerClient),
                config.getDuration(READ_TIMEOUT_KEY, DEFAULT.readTimeout),
                config.getDuration(IDLE_TIMEOUT_KEY, DEFAULT.idleTimeout));
    }
}
