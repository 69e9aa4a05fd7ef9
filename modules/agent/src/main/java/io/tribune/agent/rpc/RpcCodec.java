package io.tribune.agent.rpc;

import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.transport.Endpoint;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The wire encodings of the agent's RPCs: a compact, versioned, length-prefixed binary form of
 * an {@link HttpRequest} and {@link HttpResponse} ({@code tribune.rpc.http}), of an apply
 * request and its reply ({@code tribune.rpc.apply}), and of one keyring operation and its answer
 * ({@code tribune.rpc.keyring}, see {@link ClusterKeyring}).
 *
 * <p>Every size is bounded (strings, counts, bodies); a decoder given bytes that are truncated,
 * oversized, of another version, not UTF-8 or followed by trailing garbage throws
 * {@link IllegalArgumentException} naming the problem and produces nothing.
 */
public final class RpcCodec {
    /** Wire version byte at the start of every message. */
    static final byte VERSION = 1;
    /** Longest method, header name or short string, in bytes. */
    static final int MAX_SHORT_STRING = 256;
    /** Longest path, query value, header value or error message, in bytes. */
    static final int MAX_STRING = 64 * 1024;
    /** Most query parameters (names) in one request. */
    static final int MAX_PARAMS = 256;
    /** Most values of one query parameter. */
    static final int MAX_VALUES = 256;
    /** Most headers in one request or response. */
    static final int MAX_HEADERS = 64;
    /** Largest body or command, in bytes; the transport's message limit also applies. */
    static final int MAX_BODY = 8 * 1024 * 1024;

    /** Hop-by-hop and framing headers that are not forwarded (RFC 9110 §7.6.1); the receiver frames anew. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "upgrade", "te", "trailer", "proxy-connection", "host", "expect");

    private RpcCodec() {
    }

    // ---- HTTP request ----

    /**
     * Encodes {@code req} with {@code marker} as the value of {@link Forwarder#FORWARDED_HEADER};
     * hop-by-hop headers are dropped and at most {@link #MAX_HEADERS} headers are kept, always
     * including the marker, {@link Forwarder#REQUEST_ID_HEADER} and {@link Forwarder#ORIGIN_NODE_HEADER}
     * when present.
     *
     * @throws IllegalArgumentException when a part exceeds its bound
     */
    public static byte[] encodeRequest(HttpRequest req, String marker) {
        Out out = new Out();
        out.b(VERSION);
        out.str(req.method(), MAX_SHORT_STRING);
        out.str(req.path(), MAX_STRING);
        if (req.query().size() > MAX_PARAMS) {
            throw new IllegalArgumentException("too many query parameters (" + req.query().size() + " > " + MAX_PARAMS
                    + ")");
        }
        out.i(req.query().size());
        for (Map.Entry<String, List<String>> e : req.query().entrySet()) {
            out.str(e.getKey(), MAX_STRING);
            List<String> values = e.getValue();
            if (values.size() > MAX_VALUES) {
                throw new IllegalArgumentException("too many values of query parameter '" + e.getKey() + "'");
            }
            out.i(values.size());
            for (String v : values) {
                out.str(v, MAX_STRING);
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String requestId = null;
        String origin = null;
        for (Map.Entry<String, String> e : req.headers().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.equals(Forwarder.REQUEST_ID_HEADER)) {
                requestId = e.getValue();
            } else if (name.equals(Forwarder.ORIGIN_NODE_HEADER)) {
                origin = e.getValue();
            }
        }
        // Room for the marker and whichever of the id and the origin are present.
        int room = MAX_HEADERS - 1 - (requestId != null ? 1 : 0) - (origin != null ? 1 : 0);
        for (Map.Entry<String, String> e : req.headers().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals(Forwarder.REQUEST_ID_HEADER) && !name.equals(Forwarder.ORIGIN_NODE_HEADER)
                    && !NOT_FORWARDED.contains(name) && !name.equals(Forwarder.FORWARDED_HEADER)
                    && headers.size() < room) {
                headers.put(name, e.getValue());
            }
        }
        // The hop marker and the request id always travel, however many other headers there are:
        // without the id a retry of the write could apply twice.
        if (requestId != null) {
            headers.put(Forwarder.REQUEST_ID_HEADER, requestId);
        }
        if (origin != null) {
            headers.put(Forwarder.ORIGIN_NODE_HEADER, origin);
        }
        headers.put(Forwarder.FORWARDED_HEADER, marker);
        out.i(headers.size());
        headers.forEach((k, v) -> {
            out.str(k, MAX_SHORT_STRING);
            out.str(v, MAX_STRING);
        });
        out.bytes(req.body(), MAX_BODY);
        out.str(req.remote() == null ? "" : req.remote(), MAX_SHORT_STRING);
        return out.toByteArray();
    }

    /**
     * Decodes a request written by {@link #encodeRequest}.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static HttpRequest decodeRequest(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        String method = in.str(MAX_SHORT_STRING);
        String path = in.str(MAX_STRING);
        int params = in.count(MAX_PARAMS, "query parameters");
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (int i = 0; i < params; i++) {
            String name = in.str(MAX_STRING);
            int n = in.count(MAX_VALUES, "query values");
            List<String> values = new ArrayList<>(n);
            for (int j = 0; j < n; j++) {
                values.add(in.str(MAX_STRING));
            }
            query.put(name, List.copyOf(values));
        }
        int hs = in.count(MAX_HEADERS, "headers");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < hs; i++) {
            headers.put(in.str(MAX_SHORT_STRING).toLowerCase(Locale.ROOT), in.str(MAX_STRING));
        }
        byte[] body = in.bytes(MAX_BODY);
        String remote = in.str(MAX_SHORT_STRING);
        in.end();
        if (method.isEmpty() || !path.startsWith("/")) {
            throw new IllegalArgumentException("malformed forwarded request: bad method or path");
        }
        return new HttpRequest(method, path, query, headers, body, remote);
    }

    // ---- HTTP response ----

    /** Encodes a response (status, at most {@link #MAX_HEADERS} headers, body). */
    public static byte[] encodeResponse(HttpResponse r) {
        Out out = new Out();
        out.b(VERSION);
        out.i(r.status());
        int n = Math.min(r.headers().size(), MAX_HEADERS);
        out.i(n);
        int k = 0;
        for (Map.Entry<String, String> e : r.headers().entrySet()) {
            if (k++ == n) {
                break;
            }
            out.str(e.getKey(), MAX_SHORT_STRING);
            out.str(e.getValue(), MAX_STRING);
        }
        out.bytes(r.body(), MAX_BODY);
        return out.toByteArray();
    }

    /**
     * Decodes a response written by {@link #encodeResponse}.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static HttpResponse decodeResponse(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        int status = in.i();
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("malformed forwarded response: status " + status);
        }
        int hs = in.count(MAX_HEADERS, "headers");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < hs; i++) {
            headers.put(in.str(MAX_SHORT_STRING), in.str(MAX_STRING));
        }
        byte[] body = in.bytes(MAX_BODY);
        in.end();
        HttpResponse r = HttpResponse.bytes(status, null, body);
        headers.forEach(r::header);
        return r;
    }

    // ---- apply ----

    /**
     * An apply request.
     *
     * @param mayForward whether the receiving server may pass it on to its leader (true only for
     *                   requests from client agents; a follower sends directly to the leader)
     * @param command    the encoded state command
     */
    public record ApplyRequest(boolean mayForward, byte[] command) {
    }

    /** Encodes an apply request. */
    public static byte[] encodeApply(ApplyRequest a) {
        Out out = new Out();
        out.b(VERSION);
        out.b((byte) (a.mayForward() ? 1 : 0));
        out.bytes(a.command(), MAX_BODY);
        return out.toByteArray();
    }

    /**
     * Decodes an apply request.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static ApplyRequest decodeApply(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        int flag = in.b();
        if (flag != 0 && flag != 1) {
            throw new IllegalArgumentException("malformed apply request: flag " + flag);
        }
        byte[] cmd = in.bytes(MAX_BODY);
        in.end();
        return new ApplyRequest(flag == 1, cmd);
    }

    /** The answer to an apply request. */
    public sealed interface ApplyReply {
        /** Committed at {@code index} with the state machine's {@code result}. */
        record Ok(long index, byte[] result) implements ApplyReply {
        }

        /** The server is not the leader (and did not forward); {@code leader} is its hint. */
        record NotLeader(Optional<Endpoint> leader) implements ApplyReply {
        }

        /** The apply failed on the server (timeout, shutdown, no leader after holding). */
        record Error(String message) implements ApplyReply {
        }
    }

    /** Encodes an apply reply. */
    public static byte[] encodeReply(ApplyReply r) {
        Out out = new Out();
        out.b(VERSION);
        if (r instanceof ApplyReply.Ok ok) {
            out.b((byte) 0);
            out.l(ok.index());
            out.bytes(ok.result(), MAX_BODY);
        } else if (r instanceof ApplyReply.NotLeader nl) {
            out.b((byte) 1);
            out.b((byte) (nl.leader().isPresent() ? 1 : 0));
            nl.leader().ifPresent(e -> {
                out.str(e.host(), MAX_SHORT_STRING);
                out.i(e.port());
            });
        } else {
            out.b((byte) 2);
            String m = ((ApplyReply.Error) r).message();
            out.str(truncate(m == null ? "" : m), MAX_STRING);
        }
        return out.toByteArray();
    }

    /**
     * Decodes an apply reply.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static ApplyReply decodeReply(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        int kind = in.b();
        ApplyReply r;
        switch (kind) {
            case 0 -> {
                long index = in.l();
                r = new ApplyReply.Ok(index, in.bytes(MAX_BODY));
            }
            case 1 -> {
                int has = in.b();
                if (has != 0 && has != 1) {
                    throw new IllegalArgumentException("malformed apply reply: flag " + has);
                }
                Optional<Endpoint> leader = Optional.empty();
                if (has == 1) {
                    String host = in.str(MAX_SHORT_STRING);
                    int port = in.i();
                    try {
                        leader = Optional.of(new Endpoint(host, port));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("malformed apply reply: " + e.getMessage());
                    }
                }
                r = new ApplyReply.NotLeader(leader);
            }
            case 2 -> r = new ApplyReply.Error(in.str(MAX_STRING));
            default -> throw new IllegalArgumentException("malformed apply reply: kind " + kind);
        }
        in.end();
        return r;
    }

    private static String truncate(String s) {
        // Error messages are for people; cut long ones on a character boundary well below the bound.
        return s.length() > 4096 ? s.substring(0, 4096) + "..." : s;
    }

    // ---- keyring ----

    /** Longest gossip key on the wire, in bytes: a base64 key of 32 bytes takes 44. */
    static final int MAX_KEY_STRING = 256;
    /** Most keys in one keyring answer (gossip-swim holds at most 16). */
    static final int MAX_KEYRING_KEYS = 256;

    /** One operation on a member's gossip keyring ({@link io.tribune.api.membership.Keyring}). */
    public enum KeyringOp {
        /** Answer the installed keys, primary first; changes nothing. */
        LIST,
        /** Add a key for decryption. */
        INSTALL,
        /** Make an installed key the primary. */
        USE,
        /** Remove a key that is not the primary. */
        REMOVE
    }

    /**
     * A keyring operation for one member.
     *
     * @param op  the operation
     * @param key the base64 key; empty for {@link KeyringOp#LIST}, non-empty otherwise
     */
    public record KeyringRequest(KeyringOp op, String key) {
        public KeyringRequest {
            Objects.requireNonNull(op, "op");
            Objects.requireNonNull(key, "key");
            if ((op == KeyringOp.LIST) != key.isEmpty()) {
                throw new IllegalArgumentException(op == KeyringOp.LIST ? "a keyring listing takes no key"
                        : "keyring operation " + op + " needs a key");
            }
        }
    }

    /** A member's answer to a {@link KeyringRequest}. */
    public sealed interface KeyringReply {
        /** The operation succeeded; {@code keys} are the member's keys afterwards, primary first (never empty). */
        record Keys(List<String> keys) implements KeyringReply {
            public Keys {
                keys = List.copyOf(keys);
                if (keys.isEmpty()) {
                    throw new IllegalArgumentException("a keyring holds at least its primary key");
                }
            }

            /** The key that encrypts: the first one. */
            public String primary() {
                return keys.get(0);
            }
        }

        /** The member refused the operation (no keyring, key not installed, the primary removed, bad key). */
        record Refused(String message) implements KeyringReply {
            public Refused {
                Objects.requireNonNull(message, "message");
            }
        }
    }

    /** Encodes a keyring request. @throws IllegalArgumentException when the key exceeds its bound */
    public static byte[] encodeKeyringRequest(KeyringRequest r) {
        Out out = new Out();
        out.b(VERSION);
        out.b((byte) r.op().ordinal());
        out.str(r.key(), MAX_KEY_STRING);
        return out.toByteArray();
    }

    /**
     * Decodes a keyring request.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static KeyringRequest decodeKeyringRequest(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        int op = in.b();
        if (op >= KeyringOp.values().length) {
            throw new IllegalArgumentException("malformed keyring request: operation " + op);
        }
        String key = in.str(MAX_KEY_STRING);
        in.end();
        return new KeyringRequest(KeyringOp.values()[op], key);
    }

    /** Encodes a keyring reply; a refusal's message is shortened to a few KiB. */
    public static byte[] encodeKeyringReply(KeyringReply r) {
        Out out = new Out();
        out.b(VERSION);
        if (r instanceof KeyringReply.Keys k) {
            if (k.keys().size() > MAX_KEYRING_KEYS) {
                throw new IllegalArgumentException("keyring of " + k.keys().size() + " keys exceeds "
                        + MAX_KEYRING_KEYS);
            }
            out.b((byte) 0);
            out.i(k.keys().size());
            for (String key : k.keys()) {
                out.str(key, MAX_KEY_STRING);
            }
        } else {
            out.b((byte) 1);
            out.str(truncate(((KeyringReply.Refused) r).message()), MAX_STRING);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a keyring reply.
     *
     * @throws IllegalArgumentException when the bytes are malformed
     */
    public static KeyringReply decodeKeyringReply(byte[] bytes) {
        In in = new In(bytes);
        in.version();
        int kind = in.b();
        KeyringReply r;
        switch (kind) {
            case 0 -> {
                int n = in.count(MAX_KEYRING_KEYS, "keys");
                if (n == 0) {
                    throw new IllegalArgumentException("malformed keyring reply: no keys");
                }
                List<String> keys = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    keys.add(in.str(MAX_KEY_STRING));
                }
                r = new KeyringReply.Keys(keys);
            }
            case 1 -> r = new KeyringReply.Refused(in.str(MAX_STRING));
            default -> throw new IllegalArgumentException("malformed keyring reply: kind " + kind);
        }
        in.end();
        return r;
    }

    // ---- primitives ----

    private static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(256);

        void b(byte v) {
            buf.write(v);
        }

        void i(int v) {
            buf.write(v >>> 24);
            buf.write(v >>> 16);
            buf.write(v >>> 8);
            buf.write(v);
        }

        void l(long v) {
            i((int) (v >>> 32));
            i((int) v);
        }

        void str(String s, int max) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > max) {
                throw new IllegalArgumentException("string of " + b.length + " bytes exceeds " + max);
            }
            i(b.length);
            buf.writeBytes(b);
        }

        void bytes(byte[] b, int max) {
            if (b.length > max) {
                throw new IllegalArgumentException("payload of " + b.length + " bytes exceeds " + max);
            }
            i(b.length);
            buf.writeBytes(b);
        }

        byte[] toByteArray() {
            return buf.toByteArray();
        }
    }

    private static final class In {
        private final ByteBuffer buf;

        In(byte[] bytes) {
            if (bytes == null) {
                throw new IllegalArgumentException("malformed RPC message: no bytes");
            }
            this.buf = ByteBuffer.wrap(bytes);
        }

        void version() {
            int v = b();
            if (v != VERSION) {
                throw new IllegalArgumentException("malformed RPC message: version " + v + ", expected "
                        + VERSION);
            }
        }

        private void need(int n) {
            if (buf.remaining() < n) {
                throw new IllegalArgumentException("malformed RPC message: truncated");
            }
        }

        int b() {
            need(1);
            return buf.get() & 0xff;
        }

        int i() {
            need(4);
            return buf.getInt();
        }

        long l() {
            need(8);
            return buf.getLong();
        }

        int count(int max, String what) {
            int n = i();
            if (n < 0 || n > max) {
                throw new IllegalArgumentException("malformed RPC message: " + n + " " + what + " (max " + max
                        + ")");
            }
            return n;
        }

        byte[] bytes(int max) {
            int n = count(max, "bytes");
            need(n);
            byte[] out = new byte[n];
            buf.get(out);
            return out;
        }

        String str(int max) {
            byte[] b = bytes(max);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("malformed RPC message: string is not UTF-8");
            }
        }

        void end() {
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException("malformed RPC message: " + buf.remaining()
                        + " trailing bytes");
            }
        }
    }
}
