package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encoding of log keys and values.
 *
 * <p>Key: the index as 8 bytes big-endian, so RocksDB's byte order is index order. Value:
 * {@code [format 1B][kind 1B][term 8B][crc32c 4B][payload]}, where the CRC-32C covers the index,
 * the format, kind and term bytes and the payload: a record moved to another key, or with any bit
 * flipped, fails the check.
 */
final class LogCodec {
    static final byte FORMAT = 1;
    static final int HEADER = 1 + 1 + 8 + 4;

    private LogCodec() {
    }

    static byte[] key(long index) {
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    static long index(byte[] key) {
        if (key.length != 8) {
            throw new CorruptionException("log key of " + key.length + " bytes, expected 8");
        }
        return ByteBuffer.wrap(key).getLong();
    }

    static byte[] encode(LogEntry e) {
        byte[] data = e.data();
        ByteBuffer b = ByteBuffer.allocate(HEADER + data.length);
        b.put(FORMAT).put((byte) e.kind().ordinal()).putLong(e.term());
        b.putInt((int) crc(e.index(), b.array(), data));
        b.put(data);
        return b.array();
    }

    private static long crc(long index, byte[] header, byte[] data) {
        CRC32C c = new CRC32C();
        c.update(ByteBuffer.allocate(8).putLong(index).array());
        c.update(header, 0, 10);
        c.update(data);
        return c.getValue();
    }

    /**
     * Decodes the record stored under {@code index}.
     *
     * @param where names the store for the error message
     * @throws CorruptionException when the record is short, of an unknown format or fails its CRC
     */
    static LogEntry decode(long index, byte[] value, String where) {
        if (value.length < HEADER) {
            throw new CorruptionException(where + ": log record at index " + index + " is " + value.length
                    + " bytes, shorter than its " + HEADER + "-byte header");
        }
        if (value[0] != FORMAT) {
            throw new CorruptionException(where + ": log record at index " + index + " has unknown format "
                    + value[0]);
        }
        ByteBuffer b = ByteBuffer.wrap(value);
        b.position(2);
        long term = b.getLong();
        long stored = Integer.toUnsignedLong(b.getInt());
        byte[] data = new byte[value.length - HEADER];
        System.arraycopy(value, HEADER, data, 0, data.length);
        long computed = crc(index, value, data);
        if (stored != computed) {
            throw new CorruptionException(where + ": log record at index " + index + " fails its CRC-32C check"
                    + " (stored " + Long.toHexString(stored) + ", computed " + Long.toHexString(computed) + ")");
        }
        int kind = value[1];
        if (kind < 0 || kind >= EntryKind.values().length || term < 1) {
            throw new CorruptionException(where + ": log record at index " + index + " has kind " + kind
                    + " and term " + term);
        }
        return new LogEntry(index, term, EntryKind.ofOrdinal(kind), data);
    }
}
