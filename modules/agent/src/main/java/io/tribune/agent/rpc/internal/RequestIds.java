package io.tribune.agent.rpc.internal;

import io.tribune.state.RequestId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Makes the client request ids that let the state machine apply a write at most once however
 * often it is retried ({@link io.tribune.state.Command.Dedup}).
 *
 * <p><b>Shape.</b> An id is a 64-bit prefix drawn once per agent process from {@link SecureRandom}
 * followed by a 64-bit counter. Within one process the counter makes ids distinct without any
 * chance of collision and costs one atomic increment per write (no entropy per request); across
 * processes two prefixes collide with probability about n²/2^65 for n agent starts, about 3·10^-12
 * for ten thousand. A collision could only matter while both requests sit in the dedup table (two
 * minutes). A restarted agent draws a new prefix, so it never reuses an id of its earlier life.
 *
 * <p><b>Derived values.</b> A request that must produce the same value on every retry (the id of
 * the session a {@code PUT /v1/session/create} makes, the ids of the several commands a snapshot
 * restore proposes) derives it from the request id with SHA-256 ({@link #derive}, {@link #uuid}),
 * so the server that serves a retry makes the same choice as the one that served the first try.
 *
 * <p>Thread-safe.
 */
public final class RequestIds {
    private final long prefix;
    private final AtomicLong counter = new AtomicLong();

    /** Ids under {@code prefix} (tests choose it; agents use {@link #create()}). */
    public RequestIds(long prefix) {
        this.prefix = prefix;
    }

    /** Ids under a prefix drawn from {@link SecureRandom}. */
    public static RequestIds create() {
        return new RequestIds(new SecureRandom().nextLong());
    }

    /** A new id, never returned before by this instance. */
    public RequestId next() {
        return new RequestId(prefix, counter.incrementAndGet());
    }

    /**
     * A request id derived from {@code id} for one of several commands of the request, named by
     * {@code label}: the same inputs give the same id on every server; different labels give
     * unrelated ids.
     */
    public static RequestId derive(RequestId id, String label) {
        ByteBuffer d = ByteBuffer.wrap(digest(id, "request:" + label));
        return new RequestId(d.getLong(), d.getLong());
    }

    /**
     * A UUID (version 4 layout, 36 characters) derived from {@code id} and {@code purpose}, for
     * values a retry must reproduce, such as a session id.
     */
    public static String uuid(RequestId id, String purpose) {
        byte[] b = digest(id, "uuid:" + purpose);
        b[6] = (byte) ((b[6] & 0x0f) | 0x40); // version 4
        b[8] = (byte) ((b[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer d = ByteBuffer.wrap(b);
        return new java.util.UUID(d.getLong(), d.getLong()).toString();
    }

    private static byte[] digest(RequestId id, String label) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(RequestId.BYTES).putLong(id.hi()).putLong(id.lo()).array());
            sha.update(label.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's contract).
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
