package io.tribune.gossip.swim.internal.core;

import java.util.Objects;

/**
 * A gossip address. The core never resolves it: it is an opaque routing key handed back to the
 * driver (or the simulated network).
 *
 * @param host host name or IP literal, at most {@value WireCodec#MAX_HOST_BYTES} bytes
 * @param port 1..65535 (0 is allowed only for a simulated node that never binds)
 */
public record Addr(String host, int port) implements Comparable<Addr> {
    public Addr {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    @Override
    public int compareTo(Addr o) {
        int c = host.compareTo(o.host);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or {@code host} (with {@code defaultPort}).
     *
     * @throws IllegalArgumentException naming the bad input
     */
    public static Addr parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address");
        }
        String s = text.trim();
        if (s.length() > 300) {
            throw new IllegalArgumentException("address longer than 300 characters");
        }
        io.tribune.api.transport.Endpoint e = io.tribune.api.transport.Endpoint.parse(s, defaultPort);
        return new Addr(e.host(), e.port());
    }
}
