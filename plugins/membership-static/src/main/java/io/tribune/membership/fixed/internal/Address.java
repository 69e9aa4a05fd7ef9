package io.tribune.membership.fixed.internal;

/**
 * A member address parsed from {@code name@host:port}, {@code host:port} or {@code host}; without a
 * name part the member is named by its {@code host:port}.
 *
 * @param name member name
 * @param host host name or IP literal (IPv6 in brackets on input, stored without them)
 * @param port port, 1..65535
 */
record Address(String name, String host, int port) {
    /** Longest accepted input; node names and host names are short in practice. */
    static final int MAX_LENGTH = 512;

    /**
     * Parses one address.
     *
     * @throws IllegalArgumentException naming the bad input
     */
    static Address parse(String text, int defaultPort) {
        if (text == null) {
            throw new IllegalArgumentException("address is null");
        }
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("address longer than " + MAX_LENGTH + " characters");
        }
        String name = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            name = s.substring(0, at);
            s = s.substring(at + 1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("'" + text + "' has an empty name before '@'");
            }
            checkName(name, text);
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
        return new Address(name == null ? hostPort(host, port) : name, host, port);
    }

    static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static void checkName(String name, String context) {
        if (name.length() > 128) {
            throw new IllegalArgumentException("'" + context + "': node name longer than 128 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || c == ',' || c == '@') {
                throw new IllegalArgumentException("'" + context + "': node name contains an invalid character");
            }
        }
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
