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
        String host;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has an unclosed '['");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "' has text after ']' that is not ':port'");
                }
                port = parsePort(rest.substring(1), text);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write IPv6 addresses as [addr]:port");
            }
            if (colon >= 0) {
                host = s.substring(0, colon);
                port = parsePort(s.substring(colon + 1), text);
            } else {
                host = s;
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has an empty host");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '%')) {
                throw new IllegalArgumentException("'" + text + "' has an invalid character '" + c + "' in its host");
            }
        }
        return new Addr(host, port);
    }

    private static int parsePort(String p, String text) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' has an invalid port '" + p + "'");
        }
        int port = Integer.parseInt(p);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has port " + port + " outside 1..65535");
        }
        return port;
    }
}
