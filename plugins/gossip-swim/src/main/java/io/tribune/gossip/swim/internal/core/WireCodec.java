package io.tribune.gossip.swim.internal.core;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tribune's own compact binary encoding of {@link Msg}.
 *
 * <pre>
 * packet  = version:u8(=1) kind:u8(=0x50 'P') count:u8(1..255) { length:u16 message }*count
 * stream  = version:u8(=1) kind:u8(=0x53 'S') message            (framed by the driver with a u32 length)
 * message = type:u8 fields...
 * query   = type(=11) id:u64 origin:string originAddr:(string u16) name:string timeoutMillis:u32 len:u16 payload retry:u8
 * answer  = type(=12) id:u64 from:string (0:u8 len:u16 bytes | 1:u8 failure:string)
 * string  = length:u16 utf8-bytes         (bounded per field, must be valid UTF-8)
 * long    = 8 bytes big-endian, never negative
 * </pre>
 *
 * Decoding checks every length against the bytes left and against the field's limit, rejects
 * unknown versions, kinds and types, invalid UTF-8, out-of-range values and trailing bytes, and
 * throws {@link MalformedMessageException} instead of ever returning a half-read message. Tag maps
 * are written in key order so that the same message always encodes to the same bytes.
 */
public final class WireCodec {
    /** Wire version written and accepted. */
    public static final int VERSION = 1;
    static final int KIND_PACKET = 0x50;
    static final int KIND_STREAM = 0x53;
    /** Longest node name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 128;
    /** Longest host, in UTF-8 bytes. */
    public static final int MAX_HOST_BYTES = 255;
    /** Most tags on a member. */
    public static final int MAX_TAGS = 64;
    /** Tag keys plus values, in UTF-8 bytes (memberlist's meta limit is also 512). */
    public static final int MAX_TAG_BYTES = 512;
    /** A user event's name plus payload, in bytes (Serf's default user event limit). */
    public static final int MAX_USER_EVENT_BYTES = 512;
    /** Longest query name, in UTF-8 bytes ({@code QueryLimits.DEFAULT}). */
    public static final int MAX_QUERY_NAME_BYTES = 128;
    /** Largest query payload, in bytes (Serf's default query size limit; {@code QueryLimits.DEFAULT}). */
    public static final int MAX_QUERY_PAYLOAD_BYTES = 1024;
    /** Largest query answer or failure message, in bytes (Serf's default response size limit). */
    public static final int MAX_QUERY_ANSWER_BYTES = 1024;
    /** Longest query timeout, in milliseconds ({@code QueryLimits.DEFAULT}: 1 minute). */
    public static final long MAX_QUERY_TIMEOUT_MILLIS = 60_000;
    /** Largest packet the codec accepts (the UDP payload limit); the driver uses far less. */
    public static final int MAX_PACKET_BYTES = 65_507;
    /** Largest stream message (a push-pull of {@value #MAX_PUSH_PULL_MEMBERS} members fits). */
    public static final int MAX_STREAM_BYTES = 16 << 20;
    /** Most members in one push-pull. */
    public static final int MAX_PUSH_PULL_MEMBERS = 20_000;
    /** Bytes a packet spends besides its messages' bodies: header, plus 2 per message. */
    public static final int PACKET_HEADER_BYTES = 3;
    /** Length prefix of each message in a packet. */
    public static final int PER_MESSAGE_OVERHEAD = 2;

    private static final int T_PING = 1;
    private static final int T_PING_REQ = 2;
    private static final int T_ACK = 3;
    private static final int T_NACK = 4;
    private static final int T_ALIVE = 5;
    private static final int T_SUSPECT = 6;
    private static final int T_DEAD = 7;
    private static final int T_USER = 8;
    private static final int T_PUSH_PULL = 9;
    private static final int T_COORD = 10;
    private static final int T_QUERY = 11;
    private static final int T_QUERY_ANSWER = 12;

    private WireCodec() {
    }

    // ------------------------------------------------------------------ encode

    /** Encodes a compound packet of 1..255 messages. */
    public static byte[] encodePacket(List<Msg> msgs) {
        if (msgs.isEmpty() || msgs.size() > 255) {
            throw new IllegalArgumentException("a packet holds 1..255 messages, got " + msgs.size());
        }
        Out out = new Out(256);
        out.u8(VERSION);
        out.u8(KIND_PACKET);
        out.u8(msgs.size());
        for (Msg m : msgs) {
            int at = out.reserve(2);
            int start = out.pos;
            write(out, m);
            int len = out.pos - start;
            if (len > 0xFFFF) {
                throw new IllegalArgumentException("message of " + len + " bytes does not fit a packet");
            }
            out.putU16(at, len);
        }
        if (out.pos > MAX_PACKET_BYTES) {
            throw new IllegalArgumentException("packet of " + out.pos + " bytes exceeds " + MAX_PACKET_BYTES);
        }
        return out.bytes();
    }

    /** Encodes one stream message (without the driver's length frame). */
    public static byte[] encodeStream(Msg m) {
        Out out = new Out(m instanceof Msg.PushPull ? 4096 : 128);
        out.u8(VERSION);
        out.u8(KIND_STREAM);
        write(out, m);
        if (out.pos > MAX_STREAM_BYTES) {
            throw new IllegalArgumentException("stream message of " + out.pos + " bytes exceeds " + MAX_STREAM_BYTES);
        }
        return out.bytes();
    }

    /** The encoded size of one message body, as it counts against a packet budget (without its 2-byte prefix). */
    public static int size(Msg m) {
        Out out = new Out(64);
        write(out, m);
        return out.pos;
    }

    private static void write(Out o, Msg m) {
        if (m instanceof Msg.Ping p) {
            o.u8(T_PING);
            o.u64(p.seq());
            o.str(p.target());
            o.str(p.source());
            o.addr(p.sourceAddr());
        } else if (m instanceof Msg.PingReq p) {
            o.u8(T_PING_REQ);
            o.u64(p.seq());
            o.str(p.target());
            o.addr(p.targetAddr());
            o.str(p.source());
            o.addr(p.sourceAddr());
            o.u8(p.nack() ? 1 : 0);
        } else if (m instanceof Msg.Ack a) {
            o.u8(T_ACK);
            o.u64(a.seq());
            o.str(a.from());
        } else if (m instanceof Msg.Nack n) {
            o.u8(T_NACK);
            o.u64(n.seq());
            o.str(n.from());
        } else if (m instanceof Msg.Alive a) {
            o.u8(T_ALIVE);
            o.str(a.name());
            o.u64(a.incarnation());
            o.addr(a.addr());
            o.tags(a.tags());
        } else if (m instanceof Msg.Suspect s) {
            o.u8(T_SUSPECT);
            o.str(s.name());
            o.u64(s.incarnation());
            o.str(s.from());
        } else if (m instanceof Msg.Dead d) {
            o.u8(T_DEAD);
            o.str(d.name());
            o.u64(d.incarnation());
            o.str(d.from());
            o.u8(d.left() ? 1 : 0);
        } else if (m instanceof Msg.User u) {
            o.u8(T_USER);
            o.u64(u.ltime());
            o.str(u.name());
            o.u16(u.payload().length);
            o.raw(u.payload());
            o.u8(u.coalesce() ? 1 : 0);
        } else if (m instanceof Msg.PushPull p) {
            o.u8(T_PUSH_PULL);
            o.u8(p.join() ? 1 : 0);
            o.u64(p.eventClock());
            o.u32(p.states().size());
            for (Msg.MemberState s : p.states()) {
                o.str(s.name());
                o.addr(s.addr());
                o.u64(s.incarnation());
                o.u8(s.state().ordinal());
                o.tags(s.tags());
            }
        } else if (m instanceof Msg.Coord c) {
            o.u8(T_COORD);
            o.str(c.name());
            double[] v = c.coordinate().vec();
            o.u8(v.length);
            for (double d : v) {
                o.f64(d);
            }
            o.f64(c.coordinate().error());
            o.f64(c.coordinate().height());
        } else if (m instanceof Msg.Query q) {
            o.u8(T_QUERY);
            o.u64(q.id());
            o.str(q.origin());
            o.addr(q.originAddr());
            o.str(q.name());
            o.u32(q.timeoutMillis());
            o.u16(q.payload().length);
            o.raw(q.payload());
            o.u8(q.retry() ? 1 : 0);
        } else if (m instanceof Msg.QueryAnswer a) {
            o.u8(T_QUERY_ANSWER);
            o.u64(a.id());
            o.str(a.from());
            if (a.failure() == null) {
                o.u8(0);
                o.u16(a.answer().length);
                o.raw(a.answer());
            } else {
                o.u8(1);
                o.str(a.failure());
            }
        } else {
            throw new IllegalArgumentException("unknown message " + m);
        }
    }

    // ------------------------------------------------------------------ decode

    /** Decodes a compound packet. */
    public static List<Msg> decodePacket(byte[] b, int off, int len) throws MalformedMessageException {
        if (len > MAX_PACKET_BYTES) {
            throw new MalformedMessageException("packet of " + len + " bytes exceeds " + MAX_PACKET_BYTES);
        }
        In in = new In(b, off, len);
        header(in, KIND_PACKET);
        int count = in.u8();
        if (count == 0) {
            throw new MalformedMessageException("packet with no message");
        }
        List<Msg> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int mlen = in.u16();
            In sub = in.slice(mlen);
            out.add(read(sub));
            sub.end();
        }
        in.end();
        return out;
    }

    /** Decodes one stream message. */
    public static Msg decodeStream(byte[] b) throws MalformedMessageException {
        if (b.length > MAX_STREAM_BYTES) {
            throw new MalformedMessageException("stream message of " + b.length + " bytes exceeds " + MAX_STREAM_BYTES);
        }
        In in = new In(b, 0, b.length);
        header(in, KIND_STREAM);
        Msg m = read(in);
        in.end();
        return m;
    }

    private static void header(In in, int kind) throws MalformedMessageException {
        int v = in.u8();
        if (v != VERSION) {
            throw new MalformedMessageException("unknown wire version " + v);
        }
        int k = in.u8();
        if (k != kind) {
            throw new MalformedMessageException("unexpected frame kind " + k);
        }
    }

    private static Msg read(In in) throws MalformedMessageException {
        int type = in.u8();
        return switch (type) {
            case T_PING -> new Msg.Ping(in.u64(), in.name(true), in.name(false), in.addr());
            case T_PING_REQ -> new Msg.PingReq(in.u64(), in.name(false), in.addr(), in.name(false), in.addr(), in.bool());
            case T_ACK -> new Msg.Ack(in.u64(), in.name(true));
            case T_NACK -> new Msg.Nack(in.u64(), in.name(true));
            case T_ALIVE -> new Msg.Alive(in.name(false), in.u64(), in.addr(), in.tags());
            case T_SUSPECT -> new Msg.Suspect(in.name(false), in.u64(), in.name(false));
            case T_DEAD -> new Msg.Dead(in.name(false), in.u64(), in.name(false), in.bool());
            case T_USER -> {
                long lt = in.u64();
                String name = in.name(false);
                int plen = in.u16();
                int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
                if (nameBytes + plen > MAX_USER_EVENT_BYTES) {
                    throw new MalformedMessageException("user event of " + (nameBytes + plen) + " bytes exceeds "
                            + MAX_USER_EVENT_BYTES);
                }
                byte[] payload = in.raw(plen);
                yield new Msg.User(lt, name, payload, in.bool());
            }
            case T_PUSH_PULL -> {
                boolean join = in.bool();
                long clock = in.u64();
                long n = in.u32();
                if (n > MAX_PUSH_PULL_MEMBERS) {
                    throw new MalformedMessageException("push-pull of " + n + " members exceeds " + MAX_PUSH_PULL_MEMBERS);
                }
                List<Msg.MemberState> states = new ArrayList<>((int) Math.min(n, 1024));
                for (long i = 0; i < n; i++) {
                    String name = in.name(false);
                    Addr a = in.addr();
                    long inc = in.u64();
                    int st = in.u8();
                    if (st >= Msg.State.values().length) {
                        throw new MalformedMessageException("unknown member state " + st);
                    }
                    states.add(new Msg.MemberState(name, a, inc, Msg.State.values()[st], in.tags()));
                }
                yield new Msg.PushPull(join, states, clock);
            }
            case T_COORD -> {
                String name = in.name(false);
                int dim = in.u8();
                if (dim != Vivaldi.DIMENSIONS) {
                    throw new MalformedMessageException("coordinate of " + dim + " dimensions");
                }
                double[] v = new double[dim];
                for (int i = 0; i < dim; i++) {
                    v[i] = in.f64();
                }
                Vivaldi.Coordinate c = new Vivaldi.Coordinate(v, in.f64(), in.f64());
                if (!c.valid()) {
                    throw new MalformedMessageException("coordinate out of range");
                }
                yield new Msg.Coord(name, c);
            }
            case T_QUERY -> {
                long id = in.u64();
                String origin = in.name(false);
                Addr originAddr = in.addr();
                String name = in.name(false);
                long timeout = in.u32();
                if (timeout < 1 || timeout > MAX_QUERY_TIMEOUT_MILLIS) {
                    throw new MalformedMessageException("query timeout " + timeout + " ms is outside 1.."
                            + MAX_QUERY_TIMEOUT_MILLIS);
                }
                int plen = in.u16();
                if (plen > MAX_QUERY_PAYLOAD_BYTES) {
                    throw new MalformedMessageException("query payload of " + plen + " bytes exceeds "
                            + MAX_QUERY_PAYLOAD_BYTES);
                }
                yield new Msg.Query(id, origin, originAddr, name, timeout, in.raw(plen), in.bool());
            }
            case T_QUERY_ANSWER -> {
                long id = in.u64();
                String from = in.name(false);
                int kind = in.u8();
                if (kind == 0) {
                    int alen = in.u16();
                    if (alen > MAX_QUERY_ANSWER_BYTES) {
                        throw new MalformedMessageException("query answer of " + alen + " bytes exceeds "
                                + MAX_QUERY_ANSWER_BYTES);
                    }
                    yield new Msg.QueryAnswer(id, from, in.raw(alen), null);
                } else if (kind == 1) {
                    yield new Msg.QueryAnswer(id, from, new byte[0], in.str(MAX_QUERY_ANSWER_BYTES));
                } else {
                    throw new MalformedMessageException("unknown query answer kind " + kind);
                }
            }
            default -> throw new MalformedMessageException("unknown message type " + type);
        };
    }

    /** Growable output buffer. */
    private static final class Out {
        byte[] buf;
        int pos;

        Out(int cap) {
            buf = new byte[cap];
        }

        void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[pos++] = (byte) v;
        }

        void u16(int v) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("value " + v + " does not fit 16 bits");
            }
            ensure(2);
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }

        int reserve(int n) {
            ensure(n);
            int at = pos;
            pos += n;
            return at;
        }

        void putU16(int at, int v) {
            buf[at] = (byte) (v >>> 8);
            buf[at + 1] = (byte) v;
        }

        void u32(long v) {
            ensure(4);
            for (int s = 24; s >= 0; s -= 8) {
                buf[pos++] = (byte) (v >>> s);
            }
        }

        void u64(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative value " + v);
            }
            ensure(8);
            for (int s = 56; s >= 0; s -= 8) {
                buf[pos++] = (byte) (v >>> s);
            }
        }

        void f64(double d) {
            long v = Double.doubleToRawLongBits(d);
            ensure(8);
            for (int s = 56; s >= 0; s -= 8) {
                buf[pos++] = (byte) (v >>> s);
            }
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u16(b.length);
            raw(b);
        }

        void addr(Addr a) {
            str(a.host());
            u16(a.port());
        }

        void tags(Map<String, String> tags) {
            u8(tags.size());
            for (Map.Entry<String, String> e : new TreeMap<>(tags).entrySet()) {
                str(e.getKey());
                str(e.getValue());
            }
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, pos);
        }
    }

    /** Bounds-checked input. */
    private static final class In {
        final byte[] b;
        int pos;
        final int limit;

        In(byte[] b, int off, int len) throws MalformedMessageException {
            if (off < 0 || len < 0 || off + len > b.length) {
                throw new MalformedMessageException("bad buffer bounds");
            }
            this.b = b;
            this.pos = off;
            this.limit = off + len;
        }

        void need(int n) throws MalformedMessageException {
            if (n < 0 || limit - pos < n) {
                throw new MalformedMessageException("truncated: need " + n + " bytes, have " + (limit - pos));
            }
        }

        int u8() throws MalformedMessageException {
            need(1);
            return b[pos++] & 0xFF;
        }

        boolean bool() throws MalformedMessageException {
            int v = u8();
            if (v > 1) {
                throw new MalformedMessageException("boolean byte " + v);
            }
            return v == 1;
        }

        int u16() throws MalformedMessageException {
            need(2);
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long u32() throws MalformedMessageException {
            need(4);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            return v;
        }

        long u64() throws MalformedMessageException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            if (v < 0) {
                throw new MalformedMessageException("negative 64-bit value");
            }
            return v;
        }

        double f64() throws MalformedMessageException {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            return Double.longBitsToDouble(v);
        }

        byte[] raw(int n) throws MalformedMessageException {
            need(n);
            byte[] out = Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        String str(int maxBytes) throws MalformedMessageException {
            int n = u16();
            if (n > maxBytes) {
                throw new MalformedMessageException("string of " + n + " bytes exceeds " + maxBytes);
            }
            need(n);
            boolean ascii = true;
            for (int i = pos; i < pos + n; i++) {
                if (b[i] < 0) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                // Fast path: node names and addresses are nearly always ASCII, which is valid UTF-8.
                String s = new String(b, pos, n, StandardCharsets.US_ASCII);
                pos += n;
                return s;
            }
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            try {
                CharBuffer cb = dec.decode(ByteBuffer.wrap(b, pos, n));
                pos += n;
                return cb.toString();
            } catch (CharacterCodingException e) {
                throw new MalformedMessageException("invalid UTF-8");
            }
        }

        String name(boolean mayBeEmpty) throws MalformedMessageException {
            String s = str(MAX_NAME_BYTES);
            if (s.isEmpty() && !mayBeEmpty) {
                throw new MalformedMessageException("empty name");
            }
            return s;
        }

        Addr addr() throws MalformedMessageException {
            String host = str(MAX_HOST_BYTES);
            int port = u16();
            if (host.isEmpty() || port == 0) {
                throw new MalformedMessageException("invalid address");
            }
            return new Addr(host, port);
        }

        Map<String, String> tags() throws MalformedMessageException {
            int n = u8();
            if (n > MAX_TAGS) {
                throw new MalformedMessageException(n + " tags exceed " + MAX_TAGS);
            }
            Map<String, String> out = new LinkedHashMap<>();
            int bytes = 0;
            for (int i = 0; i < n; i++) {
                int before = pos;
                String k = str(MAX_TAG_BYTES);
                String v = str(MAX_TAG_BYTES);
                bytes += pos - before - 4;
                if (bytes > MAX_TAG_BYTES) {
                    throw new MalformedMessageException("tags exceed " + MAX_TAG_BYTES + " bytes");
                }
                if (k.isEmpty() || out.put(k, v) != null) {
                    throw new MalformedMessageException("empty or duplicate tag key");
                }
            }
            return out;
        }

        In slice(int n) throws MalformedMessageException {
            need(n);
            In sub = new In(b, pos, n);
            pos += n;
            return sub;
        }

        void end() throws MalformedMessageException {
            if (pos != limit) {
                throw new MalformedMessageException((limit - pos) + " trailing bytes");
            }
        }
    }
}
