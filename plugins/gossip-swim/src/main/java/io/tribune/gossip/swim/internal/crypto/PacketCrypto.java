package io.tribune.gossip.swim.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM sealing of gossip packets and stream frames.
 *
 * <pre>sealed = version:u8(=0x82) nonce:12 ciphertext-with-16-byte-tag</pre>
 *
 * The version byte and the configured label are authenticated as associated data, so a packet
 * cannot be moved to another label (cluster) or version. A fresh random nonce is drawn per packet.
 * Every installed key is tried on open; plain packets are refused. Nonces of recently opened
 * packets are remembered (bounded) so that a replayed packet is refused. Thread-safe.
 */
public final class PacketCrypto {
    /** First byte of a sealed frame; distinct from the plain wire version 1. */
    public static final int SEALED_VERSION = 0x82;
    /** Bytes a sealed frame adds to the plain one. */
    public static final int OVERHEAD = 1 + 12 + 16;
    /** Nonces remembered for replay detection. */
    static final int REPLAY_WINDOW = 16_384;

    /** Why a frame could not be opened. */
    public enum Failure {
        /** Not sealed while encryption is on. */
        PLAIN,
        /** Too short, or unknown sealed version. */
        MALFORMED,
        /** No installed key authenticates it (wrong key, tampered, other label). */
        AUTH,
        /** Its nonce was seen recently. */
        REPLAY
    }

    /** Thrown when a frame cannot be opened. */
    public static final class OpenException extends Exception {
        private final Failure failure;

        OpenException(Failure failure, String message) {
            super(message, null, false, false);
            this.failure = failure;
        }

        /** The reason, for counting. */
        public Failure failure() {
            return failure;
        }
    }

    private final GossipKeyring keyring;
    private final byte[] label;
    private final RandomGenerator nonces;
    private final Map<ByteBuffer, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
            return size() > REPLAY_WINDOW;
        }
    };

    /**
     * @param keyring the keys
     * @param label   cluster label authenticated with every frame (may be empty)
     * @param nonces  nonce source: a {@code SecureRandom} in production, a seeded generator in simulation
     */
    public PacketCrypto(GossipKeyring keyring, String label, RandomGenerator nonces) {
        this.keyring = keyring;
        this.label = label.getBytes(StandardCharsets.UTF_8);
        this.nonces = nonces;
    }

    /** The keyring. */
    public GossipKeyring keyring() {
        return keyring;
    }

    /** Seals {@code plain} with the primary key. */
    public byte[] seal(byte[] plain) {
        byte[] nonce = new byte[12];
        synchronized (nonces) {
            nonces.nextBytes(nonce);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keyring.primary(), "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad());
            byte[] out = new byte[1 + 12 + c.getOutputSize(plain.length)];
            out[0] = (byte) SEALED_VERSION;
            System.arraycopy(nonce, 0, out, 1, 12);
            int n = c.doFinal(plain, 0, plain.length, out, 13);
            if (n != out.length - 13) {
                throw new IllegalStateException("unexpected AES-GCM output size");
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a sealed frame.
     *
     * @throws OpenException saying why it was refused
     */
    public byte[] open(byte[] sealed, int off, int len) throws OpenException {
        if (len < 1) {
            throw new OpenException(Failure.MALFORMED, "empty frame");
        }
        int v = sealed[off] & 0xFF;
        if (v != SEALED_VERSION) {
            throw new OpenException(v == 1 ? Failure.PLAIN : Failure.MALFORMED,
                    v == 1 ? "plain frame refused: encryption is on" : "unknown sealed version " + v);
        }
        if (len < OVERHEAD) {
            throw new OpenException(Failure.MALFORMED, "sealed frame of " + len + " bytes is truncated");
        }
        byte[] nonce = java.util.Arrays.copyOfRange(sealed, off + 1, off + 13);
        List<byte[]> keys = keyring.all();
        for (byte[] key : keys) {
            try {
                Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
                c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
                c.updateAAD(aad());
                byte[] plain = c.doFinal(sealed, off + 13, len - 13);
                synchronized (recent) {
                    if (recent.putIfAbsent(ByteBuffer.wrap(nonce), Boolean.TRUE) != null) {
                        throw new OpenException(Failure.REPLAY, "replayed frame");
                    }
                }
                return plain;
            } catch (AEADBadTagException e) {
                // try the next key
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is unavailable: " + e.getMessage(), e);
            }
        }
        throw new OpenException(Failure.AUTH, "no installed key authenticates the frame");
    }

    private byte[] aad() {
        byte[] a = new byte[1 + label.length];
        a[0] = (byte) SEALED_VERSION;
        System.arraycopy(label, 0, a, 1, label.length);
        return a;
    }
}
