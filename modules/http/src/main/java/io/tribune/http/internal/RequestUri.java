package io.tribune.http.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request target of an HTTP request line, decoded strictly: the path and the query parameters,
 * percent-decoded as UTF-8 ({@code +} is a space in the query, not in the path; {@code #...} is
 * dropped; parameters are separated by {@code &} only, as Go has done since 1.17).
 *
 * <p><b>Why strict.</b> A lenient decoder replaces bytes that are not UTF-8 with U+FFFD, so
 * {@code /v1/kv/u8/%FF} and {@code /v1/kv/u8/%FE} would name the same key and one write would
 * silently overwrite the other. Consul keeps the raw bytes; keys here are Java strings, so a target
 * that is not UTF-8 once decoded is refused with a 400 naming the part and changes nothing. A
 * {@code %} not followed by two hex digits is refused too, rather than kept as text.
 *
 * <p>Bounds: at most {@value #MAX_PARAMS} parameters (Netty's default), the target itself is bounded
 * by the HTTP decoder's initial-line limit. Stateless and thread-safe.
 */
final class RequestUri {
    /** Most query parameters (name=value pairs) in one request. */
    static final int MAX_PARAMS = 1024;

    /**
     * @param path  the decoded path
     * @param query the decoded parameters in order of first appearance; a parameter given without
     *              {@code =} maps to an empty string
     */
    record Decoded(String path, Map<String, List<String>> query) {
    }

    private RequestUri() {
    }

    /**
     * Decodes {@code target} as the request line carried it. The HTTP decoder hands the line over
     * with one char per byte; a char above U+00FF (which such a line cannot hold) is refused.
     *
     * @throws HttpError 400 naming what is malformed; never any other exception
     */
    static Decoded decode(String target) {
        byte[] raw = new byte[target.length()];
        for (int i = 0; i < raw.length; i++) {
            char c = target.charAt(i);
            if (c > 0xFF) {
                throw HttpError.badRequest("malformed request URI: character U+" + Integer.toHexString(c)
                        .toUpperCase(java.util.Locale.ROOT) + " at offset " + i);
            }
            raw[i] = (byte) c;
        }
        int end = indexOf(raw, (byte) '#', 0, raw.length);
        int q = indexOf(raw, (byte) '?', 0, end);
        String path = component(raw, 0, q, false, "path");
        Map<String, List<String>> query = new LinkedHashMap<>();
        int params = 0;
        for (int from = q + 1; from <= end && q < end; ) {
            int amp = indexOf(raw, (byte) '&', from, end);
            if (amp > from) {
                if (++params > MAX_PARAMS) {
                    throw HttpError.badRequest("malformed request URI: more than " + MAX_PARAMS + " query parameters");
                }
                int eq = indexOf(raw, (byte) '=', from, amp);
                String name = component(raw, from, eq, true, "query parameter name");
                String value = eq < amp ? component(raw, eq + 1, amp, true, "value of query parameter '"
                        + Params.abbreviate(name) + "'") : "";
                query.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            from = amp + 1;
        }
        return new Decoded(path, query);
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return to;
    }

    /** Percent-decodes {@code raw[from, to)} and reads the bytes as strict UTF-8. */
    private static String component(byte[] raw, int from, int to, boolean plusIsSpace, String what) {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = raw[i];
            if (b == '%') {
                int hi = i + 2 < to ? Character.digit(raw[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw[i + 2], 16) : -1;
                if (lo < 0) {
                    throw HttpError.badRequest("malformed request URI: '%' not followed by two hex digits in the "
                            + what);
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (b == '+' && plusIsSpace) {
                out[n++] = ' ';
            } else {
                out[n++] = b;
            }
        }
        if (ascii(out, n)) {
            // ASCII is UTF-8 as it is: no decoder needed (the usual case: keys, names, parameters).
            return new String(out, 0, n, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = utf8.decode(ByteBuffer.wrap(out, 0, n));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw HttpError.badRequest("malformed request URI: the " + what + " is not valid UTF-8 once "
                    + "percent-decoded; Tribune keeps names as UTF-8 text and refuses others rather than merge "
                    + "different byte strings into one name");
        }
    }

    private static boolean ascii(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }
}
