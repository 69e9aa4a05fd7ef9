package io.tribune.storage.memory.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Snapshots as byte arrays. A writer buffers privately and becomes visible only on commit, which
 * also drops all but the newest {@code retain} snapshots. A reader keeps its own reference to the
 * data, so a snapshot deleted by retention stays readable through readers already open.
 */
final class InMemorySnapshotStore implements SnapshotStore {
    private final InMemoryStorage.Lifecycle lifecycle;
    private final int retain;
    private final long maxBytes;
    /** Committed snapshots ordered oldest first by (index, sequence). */
    private final TreeMap<Key, Stored> committed = new TreeMap<>();
    private long sequence;

    InMemorySnapshotStore(InMemoryStorage.Lifecycle lifecycle, int retain, long maxBytes) {
        this.lifecycle = lifecycle;
        this.retain = retain;
        this.maxBytes = maxBytes;
    }

    private record Key(long index, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(index, o.index);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private record Stored(SnapshotMeta meta, byte[] data) {
    }

    @Override
    public Writer create(long index, long term, byte[] configuration) {
        lifecycle.check();
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot index and term must be >= 0, got index " + index
                    + " term " + term);
        }
        if (configuration != null && configuration.length > (1 << 20)) {
            throw new IllegalArgumentException("snapshot configuration has " + configuration.length
                    + " bytes, above the limit of " + (1 << 20));
        }
        return new MemWriter(index, term, configuration == null ? new byte[0] : configuration.clone());
    }

    @Override
    public synchronized List<SnapshotMeta> list() {
        lifecycle.check();
        List<SnapshotMeta> out = new ArrayList<>(committed.size());
        committed.descendingMap().values().forEach(s -> out.add(s.meta()));
        return out;
    }

    @Override
    public Optional<Reader> open(String id) {
        lifecycle.check();
        Stored found = null;
        synchronized (this) {
            for (Stored s : committed.values()) {
                if (s.meta().id().equals(id)) {
                    found = s;
                }
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        Stored s = found;
        InputStream in = new CheckingStream(new ByteArrayInputStream(s.data()), s.meta());
        return Optional.of(new Reader() {
            @Override
            public SnapshotMeta meta() {
                return s.meta();
            }

            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public void close() {
            }
        });
    }

    private synchronized SnapshotMeta commit(long index, long term, byte[] configuration, byte[] data) {
        lifecycle.check();
        long seq = ++sequence;
        CRC32C crc = new CRC32C();
        crc.update(data);
        SnapshotMeta meta = new SnapshotMeta("mem-" + index + "-" + term + "-" + seq, index, term, configuration,
                data.length, crc.getValue());
        committed.put(new Key(index, seq), new Stored(meta, data));
        while (committed.size() > retain) {
            committed.pollFirstEntry();
        }
        return meta;
    }

    /** Buffers the data; bounded by {@code maxBytes}. */
    private final class MemWriter implements Writer {
        private final long index;
        private final long term;
        private final byte[] configuration;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private boolean done;
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                ensureRoom(1);
                buffer.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ensureRoom(len);
                buffer.write(b, off, len);
            }
        };

        MemWriter(long index, long term, byte[] configuration) {
            this.index = index;
            this.term = term;
            this.configuration = configuration;
        }

        private void ensureRoom(int len) throws IOException {
            if (done) {
                throw new IOException("snapshot writer is already committed or aborted");
            }
            if (buffer.size() + (long) len > maxBytes) {
                throw new IOException("snapshot exceeds the limit of " + maxBytes
                        + " bytes (storage-memory.snapshots.max-bytes)");
            }
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public SnapshotMeta commit() {
            if (done) {
                throw new StorageException("snapshot writer for index " + index + " is already committed or aborted");
            }
            done = true;
            return InMemorySnapshotStore.this.commit(index, term, configuration, buffer.toByteArray());
        }

        @Override
        public void abort() {
            done = true;
            buffer.reset();
        }
    }

    /** Recomputes the CRC-32C while reading and fails at end of stream on a mismatch. */
    static final class CheckingStream extends FilterInputStream {
        private final CRC32C crc = new CRC32C();
        private final SnapshotMeta meta;
        private long count;

        CheckingStream(InputStream in, SnapshotMeta meta) {
            super(in);
            this.meta = meta;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                verify();
            } else {
                crc.update(b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) {
                verify();
            } else {
                crc.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // Skipped bytes must still enter the checksum, so read them.
            byte[] buf = new byte[8192];
            long left = n;
            while (left > 0) {
                int r = read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    break;
                }
                left -= r;
            }
            return n - left;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("snapshot streams do not support mark/reset");
        }

        private void verify() {
            if (count != meta.size() || crc.getValue() != meta.crc32c()) {
                throw new CorruptionException("snapshot " + meta.id() + ": read " + count + " bytes with CRC-32C "
                        + Long.toHexString(crc.getValue()) + ", expected " + meta.size() + " bytes with "
                        + Long.toHexString(meta.crc32c()));
            }
        }
    }
}
