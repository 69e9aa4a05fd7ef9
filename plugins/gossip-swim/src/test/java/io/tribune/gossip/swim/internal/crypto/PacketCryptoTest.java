package io.tribune.gossip.swim.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacketCryptoTest {
    private static final String K1 = key(1);
    private static final String K2 = key(2);

    static String key(int seed) {
        byte[] k = new byte[32];
        new SplittableRandom(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private static PacketCrypto crypto(String primary, String label, String... others) {
        return new PacketCrypto(new GossipKeyring(primary, List.of(others)), label, new SplittableRandom(3));
    }

    private static PacketCrypto.Failure failure(PacketCrypto c, byte[] b) {
        PacketCrypto.OpenException e = assertThrows(PacketCrypto.OpenException.class, () -> c.open(b, 0, b.length));
        return e.failure();
    }

    @Test
    void sealedFrameOpensWithTheSameKeyAndHasTheStatedOverhead() throws Exception {
        PacketCrypto c = crypto(K1, "dc1");
        byte[] plain = {1, 0x50, 1, 0, 1, 3};
        byte[] sealed = c.seal(plain);
        assertEquals(plain.length + PacketCrypto.OVERHEAD, sealed.length);
        assertArrayEquals(plain, crypto(K1, "dc1").open(sealed, 0, sealed.length));
    }

    @Test
    void wrongKeyTamperingOtherLabelPlainAndReplayAreRefused() throws Exception {
        PacketCrypto c = crypto(K1, "dc1");
        byte[] sealed = c.seal(new byte[] {1, 2, 3});
        assertEquals(PacketCrypto.Failure.AUTH, failure(crypto(K2, "dc1"), sealed));
        assertEquals(PacketCrypto.Failure.AUTH, failure(crypto(K1, "dc2"), sealed), "label is authenticated");
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertEquals(PacketCrypto.Failure.AUTH, failure(crypto(K1, "dc1"), tampered));
        assertEquals(PacketCrypto.Failure.PLAIN, failure(c, new byte[] {1, 0x50, 1}));
        assertEquals(PacketCrypto.Failure.MALFORMED, failure(c, new byte[] {(byte) 0x82, 1, 2}));
        PacketCrypto receiver = crypto(K1, "dc1");
        receiver.open(sealed, 0, sealed.length);
        assertEquals(PacketCrypto.Failure.REPLAY, failure(receiver, sealed));
    }

    @Test
    void rotationInstallUseRemoveNeverLosesAFrame() throws Exception {
        PacketCrypto a = crypto(K1, "");
        PacketCrypto b = crypto(K1, "");
        a.keyring().install(K2);
        b.keyring().install(K2);
        a.keyring().use(K2);
        byte[] fromA = a.seal(new byte[] {7});
        byte[] fromB = b.seal(new byte[] {8});
        assertArrayEquals(new byte[] {7}, b.open(fromA, 0, fromA.length), "b still accepts the new primary");
        assertArrayEquals(new byte[] {8}, a.open(fromB, 0, fromB.length), "a still accepts the old key");
        b.keyring().use(K2);
        a.keyring().remove(K1);
        b.keyring().remove(K1);
        assertEquals(List.of(K2), a.keyring().keys());
        byte[] oldKey = crypto(K1, "").seal(new byte[] {9});
        assertEquals(PacketCrypto.Failure.AUTH, failure(a, oldKey), "removed key no longer opens");
    }

    @Test
    void keyringRefusesBadKeysAndUnsafeRemovals() {
        GossipKeyring k = new GossipKeyring(K1, List.of());
        assertThrows(IllegalArgumentException.class, () -> k.install("not base64!"));
        assertThrows(IllegalArgumentException.class, () -> k.install(Base64.getEncoder().encodeToString(new byte[20])));
        assertThrows(IllegalArgumentException.class, () -> k.use(K2), "not installed");
        assertThrows(IllegalArgumentException.class, () -> k.remove(K1), "primary");
        assertThrows(IllegalArgumentException.class, () -> k.remove(K2), "not installed");
        assertEquals(List.of(K1), k.keys());
        assertEquals(K1, k.primaryKey());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GossipKeyring("c2VjcmV0", List.of()));
        assertEquals("encryption key must be 16, 24 or 32 bytes, got 6", e.getMessage(), "never echoes the key");
    }
}
