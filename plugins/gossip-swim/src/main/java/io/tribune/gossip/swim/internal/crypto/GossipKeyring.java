package io.tribune.gossip.swim.internal.crypto;

import io.tribune.api.membership.Keyring;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The AES keys of one membership instance: a primary key that encrypts, and every installed key
 * tried on decrypt, so that a rotation (install everywhere, use everywhere, remove the old one)
 * never drops traffic. Thread-safe.
 */
public final class GossipKeyring implements Keyring {
    /** Most keys installed at once; rotation needs two, a few more leave room for mistakes. */
    public static final int MAX_KEYS = 16;

    /** Keys in order, primary first; each is the raw key bytes. */
    private final List<byte[]> keys = new ArrayList<>();

    /**
     * A keyring holding {@code primary} (and {@code others} for decryption).
     *
     * @throws IllegalArgumentException for a malformed key
     */
    public GossipKeyring(String primary, List<String> others) {
        keys.add(decode(primary));
        for (String k : others) {
            byte[] raw = decode(k);
            if (indexOf(raw) < 0) {
                keys.add(raw);
            }
        }
        if (keys.size() > MAX_KEYS) {
            throw new IllegalArgumentException(keys.size() + " keys exceed the limit of " + MAX_KEYS);
        }
    }

    /**
     * Decodes a base64 AES key of 16, 24 or 32 bytes.
     *
     * @throws IllegalArgumentException saying what is wrong, never echoing the key
     */
    public static byte[] decode(String key) {
        if (key == null) {
            throw new IllegalArgumentException("encryption key is missing");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("encryption key is not valid base64");
        }
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw new IllegalArgumentException("encryption key must be 16, 24 or 32 bytes, got " + raw.length);
        }
        return raw;
    }

    private int indexOf(byte[] raw) {
        for (int i = 0; i < keys.size(); i++) {
            if (Arrays.equals(keys.get(i), raw)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public synchronized List<String> keys() {
        List<String> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            out.add(Base64.getEncoder().encodeToString(k));
        }
        return out;
    }

    @Override
    public synchronized String primaryKey() {
        return Base64.getEncoder().encodeToString(keys.get(0));
    }

    @Override
    public synchronized void install(String key) {
        byte[] raw = decode(key);
        if (indexOf(raw) >= 0) {
            return;
        }
        if (keys.size() >= MAX_KEYS) {
            throw new IllegalArgumentException("keyring is full (" + MAX_KEYS + " keys): remove one first");
        }
        keys.add(raw);
    }

    @Override
    public synchronized void use(String key) {
        int i = indexOf(decode(key));
        if (i < 0) {
            throw new IllegalArgumentException("key is not installed: install it first");
        }
        keys.add(0, keys.remove(i));
    }

    @Override
    public synchronized void remove(String key) {
        int i = indexOf(decode(key));
        if (i < 0) {
            throw new IllegalArgumentException("key is not installed");
        }
        if (i == 0) {
            throw new IllegalArgumentException("cannot remove the primary key: use another key first");
        }
        keys.remove(i);
    }

    /** The primary key's bytes (a copy). */
    synchronized byte[] primary() {
        return keys.get(0).clone();
    }

    /** Every key's bytes, primary first (copies). */
    synchronized List<byte[]> all() {
        List<byte[]> out = new ArrayList<>(keys.size());
        for (byte[] k : keys) {
            out.add(k.clone());
        }
        return out;
    }
}
