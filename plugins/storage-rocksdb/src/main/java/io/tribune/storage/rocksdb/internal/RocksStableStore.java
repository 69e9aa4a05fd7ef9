package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.StableStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Small values in the {@code stable} column family. A {@link #put(Map)} is one synced
 * {@link WriteBatch}, so after a crash all of it or none of it is there. Values are stored as
 * {@code [crc32c 4B][value]}, the CRC covering the key too.
 */
final class RocksStableStore implements StableStore {
    /** Key bound from the {@link StableStore} contract. */
    static final int MAX_KEY_CHARS = 256;
    /** Value bound from the {@link StableStore} contract. */
    static final int MAX_VALUE_BYTES = 1 << 20;

    private final RocksDB db;
    private final ColumnFamilyHandle cf;
    private final WriteOptions syncWrites;
    private final Lifecycle lifecycle;
    private final String where;

    RocksStableStore(RocksDB db, ColumnFamilyHandle cf, WriteOptions syncWrites, Lifecycle lifecycle, String where) {
        this.db = db;
        this.cf = cf;
        this.syncWrites = syncWrites;
        this.lifecycle = lifecycle;
        this.where = where;
    }

    @Override
    public Optional<byte[]> get(String key) {
        validateKey(key);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        lifecycle.enter();
        try {
            byte[] v = db.get(cf, k);
            if (v == null) {
                return Optional.empty();
            }
            if (v.length < 4) {
                throw new CorruptionException(where + ": stable value of '" + key + "' is " + v.length
                        + " bytes, shorter than its checksum");
            }
            long stored = Integer.toUnsignedLong(ByteBuffer.wrap(v).getInt());
            byte[] value = new byte[v.length - 4];
            System.arraycopy(v, 4, value, 0, value.length);
            long computed = crc(k, value);
            if (stored != computed) {
                throw new CorruptionException(where + ": stable value of '" + key + "' fails its CRC-32C check (stored "
                        + Long.toHexString(stored) + ", computed " + Long.toHexString(computed) + ")");
            }
            return Optional.of(value);
        } catch (RocksDBException e) {
            throw RocksStorage.translate(where + ": reading stable key '" + key + "'", e);
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public void put(Map<String, byte[]> values) {
        Objects.requireNonNull(values, "values");
        // Validate everything and encode before touching the database: a bad batch changes nothing.
        List<byte[]> keys = new ArrayList<>(values.size());
        List<byte[]> encoded = new ArrayList<>(values.size());
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            String key = e.getKey();
            validateKey(key);
            byte[] v = e.getValue();
            if (v != null && v.length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("stable value for '" + key + "' has " + v.length
                        + " bytes, above the limit of " + MAX_VALUE_BYTES);
            }
            byte[] k = key.getBytes(StandardCharsets.UTF_8);
            keys.add(k);
            encoded.add(v == null ? null : ByteBuffer.allocate(4 + v.length).putInt((int) crc(k, v)).put(v).array());
        }
        lifecycle.enter();
        try (WriteBatch wb = new WriteBatch()) {
            for (int i = 0; i < keys.size(); i++) {
                if (encoded.get(i) == null) {
                    wb.delete(cf, keys.get(i));
                } else {
                    wb.put(cf, keys.get(i), encoded.get(i));
                }
            }
            db.write(syncWrites, wb);
        } catch (RocksDBException e) {
            throw RocksStorage.translate(where + ": writing stable keys " + values.keySet() + " failed; none was stored", e);
        } finally {
            lifecycle.exit();
        }
    }

    private static long crc(byte[] key, byte[] value) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(4).putInt(key.length).array());
        c.update(key);
        c.update(value);
        return c.getValue();
    }

    private static void validateKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("stable key must be a non-empty string");
        }
        if (key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException("stable key of " + key.length() + " characters is above the limit of "
                    + MAX_KEY_CHARS);
        }
    }
}
