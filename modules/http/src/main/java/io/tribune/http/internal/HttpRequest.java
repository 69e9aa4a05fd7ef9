package io.tribune.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An HTTP request as handlers see it: method, decoded path, query parameters and the whole body.
 *
 * @param method  upper-case method
 * @param path    the URL path, percent-decoded
 * @param query   query parameters; a parameter given without a value maps to an empty string
 * @param headers request headers, lower-case names
 * @param body    the body (bounded by the server's request size limit)
 * @param remote  the client's address
 */
public record HttpRequest(String method, String path, Map<String, List<String>> query,
                          Map<String, String> headers, byte[] body, String remote) {

    /** Whether the parameter is present (with or without a value). */
    public boolean has(String name) {
        return query.containsKey(name);
    }

    /** The first value of a parameter. */
    public Optional<String> param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    /**
     * A parameter parsed as a non-negative long.
     *
     * @throws HttpError 400 naming the parameter when it is not a number
     */
    public Optional<Long> longParam(String name) {
        Optional<String> v = param(name);
        if (v.isEmpty() || v.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            long x = Long.parseLong(v.get());
            if (x < 0) {
                throw HttpError.badRequest("invalid value for " + name + ": must not be negative");
            }
            return Optional.of(x);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid value for " + name + ": '" + Params.abbreviate(v.get())
                    + "' is not a number");
        }
    }

    /**
     * A Raft index parameter ({@code ?index}, {@code ?cas}): Consul's indexes are unsigned 64-bit,
     * so every value from 0 to 18446744073709551615 is accepted. Values above {@link Long#MAX_VALUE}
     * become {@link Long#MAX_VALUE}: no index of this cluster can reach either, so a blocking query
     * on such an index waits its whole wait and a {@code cas} on it never matches, as on Consul.
     *
     * @throws HttpError 400 naming the parameter when it is not an unsigned 64-bit number
     */
    public Optional<Long> indexParam(String name) {
        Optional<String> v = param(name);
        if (v.isEmpty() || v.get().isEmpty()) {
            return Optional.empty();
        }
        String s = v.get();
        // parseUnsignedLong alone would take a leading '+'; Go's ParseUint does not.
        if (s.charAt(0) < '0' || s.charAt(0) > '9') {
            throw HttpError.badRequest("invalid value for " + name + ": '" + Params.abbreviate(s)
                    + "' is not an unsigned 64-bit number");
        }
        try {
            long x = Long.parseUnsignedLong(s);
            return Optional.of(x < 0 ? Long.MAX_VALUE : x);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid value for " + name + ": '" + Params.abbreviate(s)
                    + "' is not an unsigned 64-bit number");
        }
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
