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
        io.tribune.api.transport.Endpoint e = io.tribune.api.transport.Endpoint.parse(s, defaultPort);
        return new Address(name == null ? hostPort(e.host(), e.port()) : name, e.host(), e.port());
    }

    static String hostPort(String host, int port) {
        return new io.tribune.api.transport.Endpoint(host, port).toString();
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
}
