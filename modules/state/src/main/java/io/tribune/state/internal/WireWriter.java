package io.tribune.state.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Appends big-endian primitives and length-prefixed strings and byte arrays to a growable buffer.
 * The format is the one {@link WireReader} checks; both are used by the command, result and
 * snapshot codecs.
 */
public final class WireWriter {
    private byte[] buf;
    private int len;

    /** A writer with a small initial buffer. */
    public WireWriter() {
        this(64);
    }

    /** A writer with {@code initial} bytes of capacity. */
    public WireWriter(int initial) {
        buf = new byte[Math.max(16, initial)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) len + extra);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("encoded form exceeds 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    /** One byte. */
    public WireWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    /** A boolean as one byte. */
    public WireWriter bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** Four bytes. */
    public WireWriter i32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
        return this;
    }

    /** Eight bytes. */
    public WireWriter i64(long v) {
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    /** A double as its IEEE bits. */
    public WireWriter f64(double v) {
        return i64(Double.doubleToLongBits(v));
    }

    /** Length-prefixed bytes. */
    public WireWriter bytes(byte[] b) {
        i32(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /** Length-prefixed {@code b[off, off + n)}. */
    public WireWriter bytes(byte[] b, int off, int n) {
        if (off < 0 || n < 0 || off > b.length - n) {
            throw new IndexOutOfBoundsException("slice " + off + "+" + n + " of " + b.length + " bytes");
        }
        i32(n);
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** Length-prefixed UTF-8. */
    public WireWriter str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A count then each string. */
    public WireWriter strList(List<String> l) {
        i32(l.size());
        for (String s : l) {
            str(s);
        }
        return this;
    }

    /** A count then key/value pairs, in the map's iteration order (callers pass sorted maps). */
    public WireWriter strMap(Map<String, String> m) {
        i32(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            str(e.getKey());
            str(e.getValue());
        }
        return this;
    }

    /** Bytes written so far. */
    public int length() {
        return len;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    /** The internal buffer (valid up to {@link #length()}); for streaming it out without a copy. */
    public byte[] buffer() {
        return buf;
    }

    /** Forgets what was written, keeping the buffer. */
    public void reset() {
        len = 0;
    }
}
