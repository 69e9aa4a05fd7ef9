package io.tribune.http.internal;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A response: status, headers and body. Built by handlers, written by the server. */
public final class HttpResponse {
    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final byte[] body;
    /** obs: a body produced over time (chunked), or null. */
    private Streamer streamer;

    private HttpResponse(int status, String contentType, byte[] body) {
        this.status = status;
        this.body = body;
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
    }

    /** A JSON body (already serialized). */
    public static HttpResponse json(int status, String json) {
        return new HttpResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    /** A plain-text body, as Consul sends errors. */
    public static HttpResponse text(int status, String text) {
        return new HttpResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes, e.g. a KV value with {@code ?raw}. */
    public static HttpResponse bytes(int status, String contentType, byte[] body) {
        return new HttpResponse(status, contentType, body);
    }

    /** An empty body. */
    public static HttpResponse empty(int status) {
        return new HttpResponse(status, null, new byte[0]);
    }

    /**
     * A body written over time with chunked transfer encoding ({@code /v1/agent/monitor}): the server
     * writes the status and headers, then calls {@code streamer} on the connection's event loop. The
     * connection closes when the body ends. Not available to requests forwarded without a socket.
     */
    public static HttpResponse stream(int status, String contentType, Streamer streamer) {
        HttpResponse r = new HttpResponse(status, contentType, new byte[0]);
        r.streamer = java.util.Objects.requireNonNull(streamer, "streamer");
        return r;
    }

    /** Produces a streamed body. */
    public interface Streamer {
        /** Called once, on the connection's event loop, after the head was sent. */
        void start(StreamSink sink);
    }

    /**
     * Where a streamed body goes. Every method may be called from any thread; writes are queued to the
     * connection's event loop in call order.
     */
    public interface StreamSink {
        /** Queues {@code bytes} as one chunk; false when the connection is closed (nothing is sent). */
        boolean send(byte[] bytes);

        /** Whether the client keeps up: false while the socket's outbound buffer is above its high-water mark. */
        boolean writable();

        /** Ends the body and closes the connection; idempotent. */
        void end();

        /** Runs {@code r} once when the connection closes (the client went away, or {@link #end}). */
        void onClose(Runnable r);

        /** Runs {@code r} on the connection's event loop. */
        void execute(Runnable r);

        /** Runs {@code r} on the connection's event loop after {@code delayMillis}. */
        void schedule(Runnable r, long delayMillis);
    }

    /** The streamer of a streamed response, or null. */
    public Streamer streamer() {
        return streamer;
    }

    /** Adds or replaces a header. */
    public HttpResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }
}
