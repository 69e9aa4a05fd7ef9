package io.tribune.transport.grpc.internal;

import io.tribune.api.PluginConfig;
import java.time.Duration;

/**
 * The typed configuration of a gRPC transport; see
 * {@link io.tribune.transport.grpc.GrpcTransportFactory} for keys, units and defaults.
 */
public record GrpcSettings(Duration idleTimeout, Duration keepAliveTime, Duration keepAliveTimeout,
                           Duration connectTimeout, Duration reconnectMaxBackoff, int eventLoopThreads,
                           int executorThreads, int maxConcurrentCalls, int maxPeers, int flowControlWindow,
                           Duration shutdownTimeout) {
    static final String PREFIX = "transport-grpc.";

    /** Parses and validates {@code config}, naming the key of any bad value. */
    public static GrpcSettings from(PluginConfig config) {
        return new GrpcSettings(
                duration(config, "idle-timeout", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1)),
                duration(config, "keepalive.time", Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofHours(2)),
                duration(config, "keepalive.timeout", Duration.ofSeconds(10), Duration.ofSeconds(1),
                        Duration.ofMinutes(10)),
                duration(config, "connect-timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(5)),
                duration(config, "reconnect.max-backoff", Duration.ofSeconds(5), Duration.ofMillis(100),
                        Duration.ofMinutes(10)),
                integer(config, "event-loop-threads", 2, 1, 64),
                integer(config, "executor-threads", 4, 1, 256),
                integer(config, "max-concurrent-calls", 4096, 1, 1 << 20),
                integer(config, "max-peers", 1024, 1, 1 << 16),
                integer(config, "flow-control-window", 1 << 20, 64 * 1024, 1 << 30),
                duration(config, "shutdown-timeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(5)));
    }

    private static Duration duration(PluginConfig c, String key, Duration def, Duration min, Duration max) {
        Duration d = c.getDuration(PREFIX + key, def);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException("config key '" + PREFIX + key + "': " + d + " is outside ["
                    + min + ", " + max + "]");
        }
        return d;
    }

    private static int integer(PluginConfig c, String key, int def, int min, int max) {
        int v = c.getInt(PREFIX + key, def);
        if (v < min || v > max) {
            throw new IllegalArgumentException("config key '" + PREFIX + key + "': " + v + " is outside [" + min
                    + ", " + max + "]");
        }
        return v;
    }
}
