package io.tribune.api.transport;

import java.util.Objects;

/**
 * Where a node listens: host (name or literal address) and port.
 *
 * @param host host name or IP literal (without brackets)
 * @param port 0..65535 (0 when binding means "any free port")
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("endpoint host is empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        }
    }

    /**
     * Parses {@code host:port} or {@code [v6]:port}.
     *
     * @throws IllegalArgumentException naming the input when it is malformed
     */
    public static Endpoint parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not host:port");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has a bad port");
        }
        return new Endpoint(host, port);
    }

    /**
     * Parses an address as operators write it ({@code -join}, {@code -retry-join}, seed lists):
     * {@code host:port}, {@code [v6]:port}, {@code host} or {@code [v6]} (then {@code defaultPort}).
     * The host may hold letters, digits and {@code . - _ : %}; an IPv6 literal with a port needs
     * brackets; an explicit port is 1..65535.
     *
     * @throws IllegalArgumentException naming the input when it is malformed
     * @since SPI 1.1
     */
    public static Endpoint parse(String text, int defaultPort) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address");
        }
        String s = text.trim();
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
                port = explicitPort(rest.substring(1), text);
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write IPv6 addresses as [addr]:port");
            }
            if (colon >= 0) {
                host = s.substring(0, colon);
                port = explicitPort(s.substring(colon + 1), text);
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
        return new Endpoint(host, port);
    }

    private static int explicitPort(String p, String text) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' has an invalid port '" + p + "'");
        }
        int port = Integer.parseInt(p);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "' has port " + port + " outside 1..65535");
        }
        return port;
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
