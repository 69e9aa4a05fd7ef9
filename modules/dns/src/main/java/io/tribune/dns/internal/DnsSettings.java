package io.tribune.dns.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * The DNS interface's settings. The agent configuration has no DNS keys yet, so
 * {@link #fromProperties} reads them from system properties ({@code tribune.dns.*}); each maps to
 * the Consul key named below, which the agent configuration will carry later.
 *
 * @param domain            the authoritative zone, lower-case, without the trailing dot; default
 *                          {@code consul} (Consul's {@code domain})
 * @param nodeTtl           TTL of node answers; default 0 s (Consul's {@code dns_config.node_ttl})
 * @param serviceTtl        TTL of service answers; default 0 s (Consul's {@code dns_config.service_ttl})
 * @param onlyPassing       answer only instances whose checks all pass; default false, which
 *                          excludes critical instances and keeps warning ones (Consul's
 *                          {@code dns_config.only_passing})
 * @param recursors         upstream servers for names outside the domain, tried in order; default
 *                          none, which answers such names REFUSED (Consul's {@code recursors})
 * @param recursorTimeout   how long to wait for one upstream; default 2 s (Consul's
 *                          {@code dns_config.recursor_timeout})
 * @param udpWorkers        threads answering UDP queries; default 4 (a recursor query blocks one)
 * @param udpQueue          UDP queries waiting for a worker before new ones are dropped; default 256
 * @param tcpWorkers        TCP connections served at once; default 4
 * @param tcpQueue          TCP connections waiting for a worker before new ones are closed; default 16
 * @param tcpIdleTimeout    a TCP connection idle this long is closed; default 5 s
 * @param maxTcpQueryBytes  longest query accepted over TCP; default 4096 bytes (a query carries one
 *                          question and perhaps an OPT record, far below this)
 */
public record DnsSettings(String domain, Duration nodeTtl, Duration serviceTtl, boolean onlyPassing,
                          List<InetSocketAddress> recursors, Duration recursorTimeout, int udpWorkers, int udpQueue,
                          int tcpWorkers, int tcpQueue, Duration tcpIdleTimeout, int maxTcpQueryBytes) {

    /** Property prefix of every setting. */
    public static final String PREFIX = "tribune.dns.";
    /** Most recursors accepted. */
    public static final int MAX_RECURSORS = 8;
    /** Largest TTL accepted, one day: longer TTLs make caches serve dead instances for too long. */
    public static final Duration MAX_TTL = Duration.ofDays(1);

    /** Consul's defaults. */
    public static final DnsSettings DEFAULT = new DnsSettings("consul", Duration.ZERO, Duration.ZERO, false, List.of(),
            Duration.ofSeconds(2), 4, 256, 4, 16, Duration.ofSeconds(5), 4096);

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the first bad field
     */
    public DnsSettings {
        Objects.requireNonNull(domain, "domain");
        domain = domain.toLowerCase(Locale.ROOT);
        while (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.length() > 200 || !domain.matches("[a-z0-9-]+(\\.[a-z0-9-]+)*")) {
            throw new IllegalArgumentException("dns domain must be a DNS name, got '" + domain + "'");
        }
        checkTtl("node-ttl", nodeTtl);
        checkTtl("service-ttl", serviceTtl);
        recursors = List.copyOf(recursors);
        if (recursors.size() > MAX_RECURSORS) {
            throw new IllegalArgumentException("at most " + MAX_RECURSORS + " dns recursors, got " + recursors.size());
        }
        if (recursorTimeout.isNegative() || recursorTimeout.isZero() || recursorTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("dns recursor-timeout must be in (0, 60s], got " + recursorTimeout);
        }
        range("udp-workers", udpWorkers, 1, 64);
        range("udp-queue", udpQueue, 1, 65536);
        range("tcp-workers", tcpWorkers, 1, 64);
        range("tcp-queue", tcpQueue, 1, 4096);
        if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero() || tcpIdleTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("dns tcp-idle-timeout must be in (0, 5m], got " + tcpIdleTimeout);
        }
        range("max-tcp-query-bytes", maxTcpQueryBytes, 512, 65535);
    }

    private static void checkTtl(String key, Duration ttl) {
        if (ttl.isNegative() || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("dns " + key + " must be in [0, 24h], got " + ttl);
        }
    }

    private static void range(String key, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("dns " + key + " must be in [" + min + ", " + max + "], got " + v);
        }
    }

    /**
     * Reads {@code tribune.dns.domain}, {@code node-ttl} / {@code service-ttl} (seconds),
     * {@code only-passing} (true/false), {@code recursors} (comma-separated {@code host:port}; port
     * 53 when absent), {@code recursor-timeout-ms}, {@code udp-workers}, {@code udp-queue},
     * {@code tcp-workers}, {@code tcp-queue}, {@code tcp-idle-timeout-ms} and
     * {@code max-tcp-query-bytes}; absent keys keep {@link #DEFAULT}.
     *
     * @throws IllegalArgumentException naming the bad key and value
     */
    public static DnsSettings fromProperties(Properties p) {
        DnsSettings d = DEFAULT;
        return new DnsSettings(p.getProperty(PREFIX + "domain", d.domain),
                Duration.ofSeconds(longOf(p, "node-ttl", d.nodeTtl.toSeconds())),
                Duration.ofSeconds(longOf(p, "service-ttl", d.serviceTtl.toSeconds())),
                boolOf(p, "only-passing", d.onlyPassing),
                recursorsOf(p.getProperty(PREFIX + "recursors", "")),
                Duration.ofMillis(longOf(p, "recursor-timeout-ms", d.recursorTimeout.toMillis())),
                (int) longOf(p, "udp-workers", d.udpWorkers), (int) longOf(p, "udp-queue", d.udpQueue),
                (int) longOf(p, "tcp-workers", d.tcpWorkers), (int) longOf(p, "tcp-queue", d.tcpQueue),
                Duration.ofMillis(longOf(p, "tcp-idle-timeout-ms", d.tcpIdleTimeout.toMillis())),
                (int) longOf(p, "max-tcp-query-bytes", d.maxTcpQueryBytes));
    }

    /** This record with other recursors (and the same validation). */
    public DnsSettings withRecursors(List<InetSocketAddress> upstreams) {
        return new DnsSettings(domain, nodeTtl, serviceTtl, onlyPassing, upstreams, recursorTimeout, udpWorkers,
                udpQueue, tcpWorkers, tcpQueue, tcpIdleTimeout, maxTcpQueryBytes);
    }

    /** This record with other TTLs. */
    public DnsSettings withTtls(Duration node, Duration service) {
        return new DnsSettings(domain, node, service, onlyPassing, recursors, recursorTimeout, udpWorkers, udpQueue,
                tcpWorkers, tcpQueue, tcpIdleTimeout, maxTcpQueryBytes);
    }

    private static long longOf(Properties p, String key, long dflt) {
        String v = p.getProperty(PREFIX + key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(PREFIX + key + " out of range: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PREFIX + key + " must be a whole number, got '" + v + "'", e);
        }
    }

    private static boolean boolOf(Properties p, String key, boolean dflt) {
        String v = p.getProperty(PREFIX + key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PREFIX + key + " must be true or false, got '" + v + "'");
        };
    }

    /** Parses {@code host:port,host:port}; IPv6 literals in brackets ({@code [::1]:53}). */
    static List<InetSocketAddress> recursorsOf(String spec) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            String host;
            int port = 53;
            if (s.startsWith("[")) {
                int end = s.indexOf(']');
                if (end < 0) {
                    throw new IllegalArgumentException("bad dns recursor '" + s + "'");
                }
                host = s.substring(1, end);
                if (end + 1 < s.length()) {
                    port = portOf(s, s.substring(end + 1));
                }
            } else {
                int colon = s.lastIndexOf(':');
                if (colon >= 0 && s.indexOf(':') == colon) {
                    host = s.substring(0, colon);
                    port = portOf(s, s.substring(colon));
                } else {
                    host = s;
                }
            }
            if (host.isEmpty()) {
                throw new IllegalArgumentException("bad dns recursor '" + s + "': no host");
            }
            // Resolved once, at start-up: the recursor list is operator configuration.
            out.add(new InetSocketAddress(host, port));
        }
        return out;
    }

    private static int portOf(String whole, String colonPort) {
        if (!colonPort.startsWith(":")) {
            throw new IllegalArgumentException("bad dns recursor '" + whole + "'");
        }
        try {
            int port = Integer.parseInt(colonPort.substring(1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad dns recursor port in '" + whole + "'");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad dns recursor port in '" + whole + "'", e);
        }
    }
}
