package io.tribune.state.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads what {@link WireWriter} wrote, checking every length against the bytes left and against
 * explicit bounds, so a corrupt or hostile input fails with {@link MalformedInputException}
 * instead of allocating without limit or reading garbage.
 */
public final class WireReader {
    /** Upper bound on one length-prefixed string. */
    public static final int MAX_STRING_BYTES = 1 << 20;
    /** Upper bound on one length-prefixed byte array. */
    public static final int MAX_BYTES = 1 << 20;
    /** Upper bound on the element count of one list or map. */
    public static final int MAX_COUNT = 1 << 24;

    /** Thrown for input that does not follow the format. */
    public static final class MalformedInputException extends IllegalArgumentException {
        /** With a message saying what was wrong. */
        public MalformedInputException(String message) {
            super(message);
        }
    }

    private final byte[] buf;
    private final int end;
    private int pos;

    /** Reads all of {@code buf}. */
    public WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    /** Reads {@code buf[from, to)}. */
    public WireReader(byte[] buf, int from, int to) {
        this.buf = buf;
        this.pos = from;
        this.end = to;
    }

    private void need(long n, String what) {
        if (n < 0 || n > end - pos) {
            throw new MalformedInputException("truncated input reading " + what + " at byte " + pos);
        }
    }

    /** Bytes not yet read. */
    public int remaining() {
        return end - pos;
    }

    /** Current position. */
    public int position() {
        return pos;
    }

    /** Fails unless every byte was read. */
    public void expectEnd() {
        if (pos != end) {
            throw new MalformedInputException((end - pos) + " unexpected trailing bytes");
        }
    }

    /** One unsigned byte. */
    public int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xff;
    }

    /** A boolean byte (0 or 1). */
    public boolean bool(String what) {
        int b = u8(what);
        if (b > 1) {
            throw new MalformedInputException("bad boolean " + b + " for " + what);
        }
        return b == 1;
    }

    /** Four bytes. */
    public int i32(String what) {
        need(4, what);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    /** Eight bytes. */
    public long i64(String what) {
        long hi = i32(what) & 0xffffffffL;
        long lo = i32(what) & 0xffffffffL;
        return (hi << 32) | lo;
    }

    /** A double. */
    public double f64(String what) {
        return Double.longBitsToDouble(i64(what));
    }

    /** A count in [0, max]. */
    public int count(String what, int max) {
        int n = i32(what);
        if (n < 0 || n > max) {
            throw new MalformedInputException("count " + n + " out of range [0, " + max + "] for " + what);
        }
        return n;
    }

    /** Length-prefixed bytes of at most {@code max}. */
    public byte[] bytes(String what, int max) {
        int n = count(what + " length", max);
        need(n, what);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    /** Length-prefixed bytes of at most {@link #MAX_BYTES}. */
    public byte[] bytes(String what) {
        return bytes(what, MAX_BYTES);
    }

    /** Length-prefixed, strictly valid UTF-8. */
    public String str(String what) {
        int n = count(what + " length", MAX_STRING_BYTES);
        need(n, what);
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, pos, n));
            pos += n;
            return cb.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedInputException("invalid UTF-8 in " + what);
        }
    }

    /** A list of strings. */
    public List<String> strList(String what, int max) {
        int n = count(what + " count", max);
        List<String> l = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            l.add(str(what));
        }
        return Collections.unmodifiableList(l);
    }

    /** A sorted string map. */
    public Map<String, String> strMap(String what, int max) {
        int n = count(what + " count", max);
        TreeMap<String, String> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String k = str(what + " key");
            String v = str(what + " value");
            if (m.put(k, v) != null) {
                throw new MalformedInputException("duplicate key '" + k + "' in " + what);
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
