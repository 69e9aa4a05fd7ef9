package io.tribune.launcher;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One answer of the agent's HTTP API as {@link ApiClient#send} returns it: the status code, the
 * headers and the whole body. Immutable; the body array is the caller's to keep (the client does
 * not reuse it), so callers must not hand it to code that modifies it while others read it.
 *
 * <p>fastcli (issue 16): the CLI's own small type, so that commands need no {@code java.net.http}
 * class (loading that module's client costs a third of a second per command).
 */
final class ApiResponse {
    private final int statusCode;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    /**
     * @param statusCode the HTTP status, 100-599
     * @param headers    header name to its values in the order received; names are matched
     *                   case-insensitively, a null name (the status line) is dropped
     * @param body       the body, empty when there was none
     */
    ApiResponse(int statusCode, Map<String, List<String>> headers, byte[] body) {
        this.statusCode = statusCode;
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> {
            if (k != null) {
                h.put(k, List.copyOf(v));
            }
        });
        this.headers = Collections.unmodifiableMap(h);
        this.body = body;
    }

    /** The HTTP status code. */
    int statusCode() {
        return statusCode;
    }

    /** The body as received (never null; empty when the answer had none). */
    byte[] body() {
        return body;
    }

    /** Every header, by case-insensitive name, values in the order received. */
    Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of header {@code name} (case-insensitive), if the answer has it. */
    Optional<String> header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }
}
