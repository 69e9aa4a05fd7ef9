package io.tribune.gossip.swim.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tribune.gossip.swim.internal.core.Addr;
import io.tribune.gossip.swim.internal.core.MalformedMessageException;
import io.tribune.gossip.swim.internal.core.Msg;
import io.tribune.gossip.swim.internal.core.WireCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing (Jazzer) of what a gossip member reads from the network: UDP packets
 * (plain, and sealed with AES-GCM when a keyring is installed) and TCP stream messages (push/pull,
 * queries).
 *
 * <p>Contracts: the codec refuses malformed input only with {@link MalformedMessageException}, and
 * what it accepts re-encodes canonically (encode, decode and encode again give the same bytes);
 * opening a frame refuses only with {@link PacketCrypto.OpenException} and a refused frame leaves
 * the crypto state intact (a fresh sealed frame still opens, a replay is still refused). Sizes are
 * bounded by {@link WireCodec#MAX_PACKET_BYTES} and {@link WireCodec#MAX_STREAM_BYTES}. The normal
 * build runs the targets over the seed corpus in
 * {@code src/test/resources/io/tribune/gossip/swim/internal/crypto/GossipWireFuzzTestInputs/}; see
 * {@code docs/fuzzing.md}.
 */
class GossipWireFuzzTest {
    private static final Path SEEDS = Path.of(
            "src/test/resources/io/tribune/gossip/swim/internal/crypto/GossipWireFuzzTestInputs");
    private static final String KEY = key(1);

    private static String key(int seed) {
        byte[] k = new byte[32];
        new SplittableRandom(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private static PacketCrypto crypto(int nonceSeed) {
        return new PacketCrypto(new GossipKeyring(KEY, List.of()), "dc1", new SplittableRandom(nonceSeed));
    }

    @FuzzTest(maxDuration = "5m")
    void plainPacket(byte[] data) throws MalformedMessageException {
        List<Msg> msgs;
        try {
            msgs = WireCodec.decodePacket(data, 0, data.length);
        } catch (MalformedMessageException refused) {
            return;
        }
        byte[] once = WireCodec.encodePacket(msgs);
        assertArrayEquals(once, WireCodec.encodePacket(WireCodec.decodePacket(once, 0, once.length)));
    }

    @FuzzTest(maxDuration = "5m")
    void streamMessage(byte[] data) throws MalformedMessageException {
        Msg m;
        try {
            m = WireCodec.decodeStream(data);
        } catch (MalformedMessageException refused) {
            return;
        }
        byte[] once = WireCodec.encodeStream(m);
        assertArrayEquals(once, WireCodec.encodeStream(WireCodec.decodeStream(once)));
    }

    /**
     * Input: a selector (first byte) and bytes. Selector even: the bytes are a frame off the network,
     * opened as such. Odd: they are a plain packet that a peer with the key sealed, so that the
     * decoder behind the crypto is reached too.
     */
    @FuzzTest(maxDuration = "5m")
    void encryptedPacket(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        boolean sealedByPeer = (data[0] & 1) == 1;
        byte[] bytes = java.util.Arrays.copyOfRange(data, 1, data.length);
        PacketCrypto receiver = crypto(7);
        byte[] frame = sealedByPeer ? crypto(11).seal(bytes) : bytes;
        byte[] plain;
        try {
            plain = receiver.open(frame, 0, frame.length);
        } catch (PacketCrypto.OpenException refused) {
            assertNotEquals(null, refused.failure());
            plain = null;
        }
        if (plain != null) {
            assertArrayEquals(sealedByPeer ? bytes : plain, plain);
            try {
                WireCodec.decodePacket(plain, 0, plain.length);
            } catch (MalformedMessageException refused) {
                // a peer with the key may still send garbage: refused like a plain one
            }
        }
        // Whatever came in, the receiver still opens a fresh frame and refuses its replay.
        byte[] fresh = crypto(13).seal(new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, receiver.open(fresh, 0, fresh.length));
        try {
            receiver.open(fresh, 0, fresh.length);
            throw new AssertionError("a replayed frame was accepted");
        } catch (PacketCrypto.OpenException replay) {
            assertEquals(PacketCrypto.Failure.REPLAY, replay.failure());
        }
    }

    /** Rewrites the seed corpus; skipped unless {@code -Dtribune.fuzz.write-seeds=true} (run from the module directory). */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        Addr a = new Addr("10.0.0.1", 8301);
        Addr b = new Addr("::1", 8302);
        List<Msg> probe = List.of(new Msg.Ping(1, "b", "a", a), new Msg.PingReq(2, "c", b, "a", a, true),
                new Msg.Ack(3, "c"), new Msg.Nack(4, "b"));
        List<Msg> gossip = List.of(new Msg.Alive("a", 7, a, Map.of("role", "consul", "dc", "dc1")),
                new Msg.Suspect("c", 8, "a"), new Msg.Dead("c", 9, "c", true),
                new Msg.User(10, "deploy", new byte[] {0, 1, 2, (byte) 255}, true),
                new Msg.Query(11, "a", a, "tribune-keyring", 5000, new byte[] {3, 4}),
                new Msg.QueryAnswer(11, "b", new byte[] {5, 6, 7}, null));
        Path plain = SEEDS.resolve("plainPacket");
        Files.createDirectories(plain);
        Files.write(plain.resolve("seed-probe"), WireCodec.encodePacket(probe));
        Files.write(plain.resolve("seed-gossip"), WireCodec.encodePacket(gossip));
        Path stream = SEEDS.resolve("streamMessage");
        Files.createDirectories(stream);
        Files.write(stream.resolve("seed-pushpull"), WireCodec.encodeStream(new Msg.PushPull(true, List.of(
                new Msg.MemberState("a", a, 3, Msg.State.ALIVE, Map.of("role", "node"))), 4)));
        Files.write(stream.resolve("seed-query"), WireCodec.encodeStream(gossip.get(4)));
        Path enc = SEEDS.resolve("encryptedPacket");
        Files.createDirectories(enc);
        byte[] packet = WireCodec.encodePacket(probe);
        byte[] sealed = crypto(5).seal(packet);
        Files.write(enc.resolve("seed-sealed-frame"), prepend((byte) 0, sealed));
        Files.write(enc.resolve("seed-plain-to-seal"), prepend((byte) 1, packet));
    }

    private static byte[] prepend(byte first, byte[] b) {
        byte[] out = new byte[b.length + 1];
        out[0] = first;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }
}
