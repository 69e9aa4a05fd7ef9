package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WireCodecTest {
    private static final Addr A = new Addr("10.0.0.1", 8301);
    private static final Addr B = new Addr("::1", 8302);

    static List<Msg> samples() {
        return List.of(
                new Msg.Ping(1, "b", "a", A),
                new Msg.PingReq(2, "c", B, "a", A, true),
                new Msg.Ack(3, "c"),
                new Msg.Nack(4, "b"),
                new Msg.Alive("a", 7, A, Map.of("role", "server", "dc", "dc1", "é", "ü")),
                new Msg.Suspect("c", 8, "a"),
                new Msg.Dead("c", 9, "c", true),
                new Msg.User(10, "deploy", new byte[] {0, 1, 2, (byte) 255}, true),
                new Msg.Query(11, "a", A, "tribune-keyring", 5000, new byte[] {3, 4}),
                new Msg.Query(12, "a", B, "q", 1, new byte[0], true),
                new Msg.QueryAnswer(11, "b", new byte[] {5, 6, 7}, null),
                new Msg.QueryAnswer(11, "c", new byte[0], "no handler for query 'x' é"));
    }

    /** Equality with byte arrays compared by content (records compare arrays by reference). */
    private static void assertSameMessage(Msg expected, Msg actual) {
        if (expected instanceof Msg.User u) {
            Msg.User v = (Msg.User) actual;
            assertEquals(u.ltime(), v.ltime());
            assertEquals(u.name(), v.name());
            assertArrayEquals(u.payload(), v.payload());
            assertEquals(u.coalesce(), v.coalesce());
        } else if (expected instanceof Msg.Query q) {
            Msg.Query r = (Msg.Query) actual;
            assertEquals(List.of(q.id(), q.origin(), q.originAddr(), q.name(), q.timeoutMillis(), q.retry()),
                    List.of(r.id(), r.origin(), r.originAddr(), r.name(), r.timeoutMillis(), r.retry()));
            assertArrayEquals(q.payload(), r.payload());
        } else if (expected instanceof Msg.QueryAnswer a) {
            Msg.QueryAnswer b = (Msg.QueryAnswer) actual;
            assertEquals(a.id(), b.id());
            assertEquals(a.from(), b.from());
            assertArrayEquals(a.answer(), b.answer());
            assertEquals(a.failure(), b.failure());
        } else {
            assertEquals(expected, actual);
        }
    }

    @Test
    void everyMessageTypeRoundTripsInOnePacket() throws Exception {
        List<Msg> in = samples();
        byte[] wire = WireCodec.encodePacket(in);
        List<Msg> out = WireCodec.decodePacket(wire, 0, wire.length);
        assertEquals(in.size(), out.size());
        for (int i = 0; i < in.size(); i++) {
            assertSameMessage(in.get(i), out.get(i));
        }
        int sum = WireCodec.PACKET_HEADER_BYTES;
        for (Msg m : in) {
            sum += WireCodec.size(m) + WireCodec.PER_MESSAGE_OVERHEAD;
        }
        assertEquals(sum, wire.length, "size() predicts the packet budget exactly");
    }

    @Test
    void pushPullRoundTripsOverStream() throws Exception {
        Msg.PushPull pp = new Msg.PushPull(true, List.of(
                new Msg.MemberState("a", A, 1, Msg.State.ALIVE, Map.of("k", "v")),
                new Msg.MemberState("b", B, 2, Msg.State.LEFT, Map.of())), 42);
        assertEquals(pp, WireCodec.decodeStream(WireCodec.encodeStream(pp)));
    }

    @Test
    void tagOrderDoesNotChangeTheBytes() {
        Map<String, String> t1 = new LinkedHashMap<>();
        t1.put("a", "1");
        t1.put("b", "2");
        Map<String, String> t2 = new LinkedHashMap<>();
        t2.put("b", "2");
        t2.put("a", "1");
        assertArrayEquals(WireCodec.encodePacket(List.of(new Msg.Alive("n", 1, A, t1))),
                WireCodec.encodePacket(List.of(new Msg.Alive("n", 1, A, t2))));
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] wire = WireCodec.encodePacket(samples());
        for (int len = 0; len < wire.length; len++) {
            int l = len;
            assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(wire, 0, l), "prefix " + len);
        }
    }

    @Test
    void trailingBytesWrongVersionAndUnknownTypeAreRejected() {
        byte[] wire = WireCodec.encodePacket(List.of(new Msg.Ack(1, "x")));
        byte[] longer = java.util.Arrays.copyOf(wire, wire.length + 1);
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(longer, 0, longer.length));
        byte[] v2 = wire.clone();
        v2[0] = 2;
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(v2, 0, v2.length));
        byte[] t = wire.clone();
        t[5] = 99;
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(t, 0, t.length));
    }

    @Test
    void oversizedFieldsAreRejected() {
        // A name over the limit, written by hand: header, one message, Ack type, seq, name length 200.
        byte[] name = new byte[200];
        java.util.Arrays.fill(name, (byte) 'x');
        byte[] body = new byte[1 + 8 + 2 + name.length];
        body[0] = 3;
        body[9] = 0;
        body[10] = (byte) 200;
        System.arraycopy(name, 0, body, 11, name.length);
        byte[] pkt = new byte[3 + 2 + body.length];
        pkt[0] = 1;
        pkt[1] = 0x50;
        pkt[2] = 1;
        pkt[3] = (byte) (body.length >>> 8);
        pkt[4] = (byte) body.length;
        System.arraycopy(body, 0, pkt, 5, body.length);
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(pkt, 0, pkt.length));
        assertThrows(MalformedMessageException.class,
                () -> WireCodec.decodePacket(new byte[WireCodec.MAX_PACKET_BYTES + 1], 0, WireCodec.MAX_PACKET_BYTES + 1));
        // A user event over 512 bytes cannot be decoded even if someone encodes it.
        byte[] big = WireCodec.encodePacket(List.of(new Msg.User(1, "e", new byte[600], false)));
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(big, 0, big.length));
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 70; i++) {
            many.put("k" + i, "");
        }
        byte[] tags = WireCodec.encodePacket(List.of(new Msg.Alive("n", 1, A, many)));
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(tags, 0, tags.length));
    }

    @Test
    void queriesAtTheLimitsDecodeAndOneByteMoreIsRejected() throws Exception {
        String name = "q".repeat(WireCodec.MAX_QUERY_NAME_BYTES);
        List<Msg> atLimit = List.of(
                new Msg.Query(1, "a", A, name, WireCodec.MAX_QUERY_TIMEOUT_MILLIS, new byte[WireCodec.MAX_QUERY_PAYLOAD_BYTES]),
                new Msg.QueryAnswer(1, "b", new byte[WireCodec.MAX_QUERY_ANSWER_BYTES], null),
                new Msg.QueryAnswer(1, "c", new byte[0], "f".repeat(WireCodec.MAX_QUERY_ANSWER_BYTES)));
        for (Msg m : atLimit) {
            byte[] wire = WireCodec.encodePacket(List.of(m));
            assertSameMessage(m, WireCodec.decodePacket(wire, 0, wire.length).get(0));
        }
        // The encoder writes what the decoder must refuse, as a peer with other limits might.
        List<Msg> over = List.of(
                new Msg.Query(1, "a", A, name + "q", 1000, new byte[0]),
                new Msg.Query(1, "a", A, "q", WireCodec.MAX_QUERY_TIMEOUT_MILLIS + 1, new byte[0]),
                new Msg.Query(1, "a", A, "q", 0, new byte[0]),
                new Msg.Query(1, "a", A, "", 1000, new byte[0]),
                new Msg.Query(1, "", A, "q", 1000, new byte[0]),
                new Msg.Query(1, "a", A, "q", 1000, new byte[WireCodec.MAX_QUERY_PAYLOAD_BYTES + 1]),
                new Msg.QueryAnswer(1, "b", new byte[WireCodec.MAX_QUERY_ANSWER_BYTES + 1], null),
                new Msg.QueryAnswer(1, "c", new byte[0], "f".repeat(WireCodec.MAX_QUERY_ANSWER_BYTES + 1)),
                new Msg.QueryAnswer(1, "", new byte[1], null));
        for (Msg m : over) {
            byte[] wire = WireCodec.encodePacket(List.of(m));
            assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(wire, 0, wire.length),
                    m.toString());
        }
        // An answer kind other than 0 (answer) or 1 (failure).
        byte[] wire = WireCodec.encodePacket(List.of(new Msg.QueryAnswer(1, "b", new byte[0], null)));
        wire[3 + 2 + 1 + 8 + 2 + 1] = 2;
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(wire, 0, wire.length));
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] wire = WireCodec.encodePacket(List.of(new Msg.Ack(1, "ab")));
        wire[wire.length - 1] = (byte) 0xC3; // a lone lead byte
        assertThrows(MalformedMessageException.class, () -> WireCodec.decodePacket(wire, 0, wire.length));
    }

    @Test
    void garbageAndBitFlipsOnlyEverFailAsMalformed() {
        SplittableRandom r = new SplittableRandom(7);
        byte[] valid = WireCodec.encodePacket(samples());
        int decoded = 0;
        int rejected = 0;
        List<byte[]> inputs = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            byte[] g = new byte[r.nextInt(0, 300)];
            r.nextBytes(g);
            if (g.length > 2 && i % 2 == 0) {
                g[0] = 1;
                g[1] = 0x50;
            }
            inputs.add(g);
            byte[] flip = valid.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                flip[r.nextInt(flip.length)] ^= (byte) (1 << r.nextInt(8));
            }
            inputs.add(flip);
        }
        for (byte[] in : inputs) {
            try {
                List<Msg> msgs = WireCodec.decodePacket(in, 0, in.length);
                assertTrue(!msgs.isEmpty());
                decoded++;
            } catch (MalformedMessageException e) {
                rejected++;
            } catch (RuntimeException e) {
                fail("decoder threw " + e + " instead of MalformedMessageException");
            }
        }
        assertEquals(inputs.size(), decoded + rejected);
        assertTrue(rejected > inputs.size() / 2, "most garbage is rejected: " + rejected);
    }

    @Test
    void encoderRefusesPacketsItCouldNotDecode() {
        assertThrows(IllegalArgumentException.class, () -> WireCodec.encodePacket(List.of()));
        List<Msg> tooMany = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            tooMany.add(new Msg.Ack(i, ""));
        }
        assertThrows(IllegalArgumentException.class, () -> WireCodec.encodePacket(tooMany));
    }
}
