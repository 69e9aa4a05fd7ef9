package io.tribune.api.membership;

import java.util.List;

/**
 * Optional capability of a membership instance that encrypts its traffic: the local keyring.
 * Keys are base64-encoded AES keys of 16, 24 or 32 bytes. The primary key encrypts; every
 * installed key is tried for decryption, so a key rotation installs the new key everywhere, makes
 * it primary everywhere, then removes the old one, with no downtime.
 *
 * <p>Thread-safe. Operations are local; the host distributes them to the other members.
 */
public interface Keyring {

    /** Installed keys, primary first. */
    List<String> keys();

    /** The key used to encrypt outgoing messages. */
    String primaryKey();

    /** Adds a key for decryption. @throws IllegalArgumentException for a malformed key */
    void install(String key);

    /** Makes an installed key the primary. @throws IllegalArgumentException if it is not installed */
    void use(String key);

    /** Removes a key. @throws IllegalArgumentException if it is the primary or not installed */
    void remove(String key);
}
