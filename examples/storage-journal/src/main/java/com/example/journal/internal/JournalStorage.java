package com.example.journal.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.LogStore;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.Storage;
import io.tribune.api.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * All three stores over one journal file. Each write appends one record
 * {@code [length][crc32c][type][payload]} and fsyncs before returning; at open the journal is
 * replayed into memory, and a torn record at the tail (a crash mid-write) is cut off. When the
 * journal grows past {@value #COMPACT_BYTES} bytes after a prefix truncation it is rewritten from
 * memory to a temporary file, fsynced and renamed over the old one.
 *
 * <p>Thread-safe through one lock: the example favours clarity over concurrency.
 */
public final class JournalStorage implements Storage, LogStore, StableStore {
    private static final long COMPACT_BYTES = 64L << 20;
    private static final int MAX_RECORD = 64 << 20;
    private static final byte APPEND = 1;
    private static final byte TRUNCATE_SUFFIX = 2;
    private static final byte TRUNCATE_PREFIX = 3;
    private static final byte STABLE_PUT = 4;

    private final Path dir;
    private final Path journalPath;
    private final TreeMap<Long, LogEntry> log = new TreeMap<>();
    private final Map<String, byte[]> stable = new TreeMap<>();
    private final FileSnapshots snapshots;
    private FileChannel journal;
    private boolean closed;

    /** Opens (creating) the stores under {@code dir}, keeping {@code retain} snapshots. */
    public JournalStorage(Path dir, int retain) {
        this.dir = dir;
        this.journalPath = dir.resolve("journal.bin");
        try {
            Files.createDirectories(dir);
            journal = FileChannel.open(journalPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            replay();
            snapshots = new FileSnapshots(dir.resolve("snapshots"), retain);
        } catch (IOException e) {
            throw new StorageException("cannot open journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    private void replay() throws IOException {
        long pos = 0;
        long size = journal.size();
        ByteBuffer head = ByteBuffer.allocate(9);
        while (pos + 9 <= size) {
            head.clear();
            journal.read(head, pos);
            head.flip();
            int len = head.getInt();
            int crc = head.getInt();
            byte type = head.get();
            if (len < 0 || len > MAX_RECORD || pos + 9 + len > size) {
                break; // torn tail
            }
            ByteBuffer body = ByteBuffer.allocate(len);
            journal.read(body, pos + 9);
            CRC32C c = new CRC32C();
            c.update(type);
            c.update(body.array());
            if ((int) c.getValue() != crc) {
                if (pos + 9 + len == size) {
                    break; // torn last record
                }
                throw new CorruptionException(journalPath + ": record at offset " + pos + " fails its checksum");
            }
            applyRecord(type, body.array());
            pos += 9 + len;
        }
        journal.truncate(pos);
        journal.position(pos);
    }

    private void applyRecord(byte type, byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(payload));
        switch (type) {
            case APPEND -> {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    long index = in.readLong();
                    long term = in.readLong();
                    EntryKind kind = EntryKind.ofOrdinal(in.readUnsignedByte());
                    byte[] data = new byte[in.readInt()];
                    in.readFully(data);
                    log.put(index, new LogEntry(index, term, kind, data));
                }
            }
            case TRUNCATE_SUFFIX -> log.tailMap(in.readLong(), true).clear();
            case TRUNCATE_PREFIX -> log.headMap(in.readLong(), true).clear();
            case STABLE_PUT -> {
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String key = in.readUTF();
                    int len = in.readInt();
                    if (len < 0) {
                        stable.remove(key);
                    } else {
                        byte[] v = new byte[len];
                        in.readFully(v);
                        stable.put(key, v);
                    }
                }
            }
            default -> throw new CorruptionException(journalPath + ": unknown record type " + type);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("storage-journal in " + dir + " is closed");
        }
    }

    private void write(byte type, byte[] payload) {
        checkOpen();
        CRC32C c = new CRC32C();
        c.update(type);
        c.update(payload);
        ByteBuffer buf = ByteBuffer.allocate(9 + payload.length);
        buf.putInt(payload.length).putInt((int) c.getValue()).put(type).put(payload).flip();
        long start;
        try {
            start = journal.position();
            while (buf.hasRemaining()) {
                journal.write(buf);
            }
            journal.force(false);
        } catch (IOException e) {
            throw new StorageException("journal write to " + journalPath + " failed: " + e.getMessage(), e);
        }
        try {
            applyRecord(type, payload);
        } catch (IOException e) {
            throw new StorageException("journal record could not be applied at offset " + start, e);
        }
    }

    private static byte[] encode(IoConsumer<DataOutputStream> body) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bos);
            body.accept(out);
            out.flush();
            return bos.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }

    // ---- LogStore ----

    @Override
    public synchronized long firstIndex() {
        checkOpen();
        return log.isEmpty() ? 0 : log.firstKey();
    }

    @Override
    public synchronized long lastIndex() {
        checkOpen();
        return log.isEmpty() ? 0 : log.lastKey();
    }

    @Override
    public synchronized Optional<LogEntry> get(long index) {
        checkOpen();
        return Optional.ofNullable(log.get(index));
    }

    @Override
    public synchronized List<LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
        checkOpen();
        List<LogEntry> out = new ArrayList<>();
        if (fromIndex > toIndex) {
            return out;
        }
        long bytes = 0;
        for (LogEntry e : log.subMap(fromIndex, true, toIndex, true).values()) {
            if (!out.isEmpty() && bytes + e.size() > maxBytes) {
                break;
            }
            out.add(e);
            bytes += e.size();
        }
        return out;
    }

    @Override
    public synchronized void append(List<LogEntry> entries) {
        checkOpen();
        for (LogEntry e : entries) {
            if (e == null) {
                throw new IllegalArgumentException("append batch holds a null entry");
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        long expect = log.isEmpty() ? entries.get(0).index() : log.lastKey() + 1;
        for (LogEntry e : entries) {
            if (e.index() != expect) {
                throw new IllegalArgumentException("append must continue the log at index " + expect + ", got "
                        + e.index());
            }
            expect++;
        }
        write(APPEND, encode(out -> {
            out.writeInt(entries.size());
            for (LogEntry e : entries) {
                out.writeLong(e.index());
                out.writeLong(e.term());
                out.writeByte(e.kind().ordinal());
                out.writeInt(e.data().length);
                out.write(e.data());
            }
        }));
    }

    @Override
    public synchronized void truncateSuffix(long fromIndex) {
        checkOpen();
        if (!log.isEmpty() && fromIndex < log.firstKey()) {
            throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": entries before "
                    + log.firstKey() + " are compacted");
        }
        if (log.isEmpty() || fromIndex > log.lastKey()) {
            return;
        }
        write(TRUNCATE_SUFFIX, encode(out -> out.writeLong(fromIndex)));
    }

    @Override
    public synchronized void truncatePrefix(long toIndex) {
        checkOpen();
        if (log.isEmpty() || toIndex < log.firstKey()) {
            return;
        }
        write(TRUNCATE_PREFIX, encode(out -> out.writeLong(toIndex)));
        try {
            if (journal.size() > COMPACT_BYTES) {
                compact();
            }
        } catch (IOException e) {
            throw new StorageException("journal compaction in " + dir + " failed: " + e.getMessage(), e);
        }
    }

    private void compact() throws IOException {
        Path tmp = dir.resolve("journal.bin.tmp");
        List<LogEntry> live = new ArrayList<>(log.values());
        Map<String, byte[]> st = new TreeMap<>(stable);
        FileChannel old = journal;
        journal = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        log.clear();
        stable.clear();
        if (!st.isEmpty()) {
            put(st);
        }
        if (!live.isEmpty()) {
            append(live);
        }
        Files.move(tmp, journalPath, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        FileSnapshots.fsyncDir(dir);
        old.close();
    }

    // ---- StableStore ----

    @Override
    public synchronized Optional<byte[]> get(String key) {
        checkOpen();
        byte[] v = stable.get(key);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public synchronized void put(Map<String, byte[]> values) {
        checkOpen();
        for (Map.Entry<String, byte[]> e : values.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException("stable store keys must not be empty");
            }
            if (e.getKey().length() > 256 || (e.getValue() != null && e.getValue().length > (1 << 20))) {
                throw new IllegalArgumentException("stable key or value too large: " + e.getKey());
            }
        }
        write(STABLE_PUT, encode(out -> {
            out.writeInt(values.size());
            for (Map.Entry<String, byte[]> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                if (e.getValue() == null) {
                    out.writeInt(-1);
                } else {
                    out.writeInt(e.getValue().length);
                    out.write(e.getValue());
                }
            }
        }));
    }

    // ---- Storage ----

    @Override
    public LogStore log() {
        return this;
    }

    @Override
    public StableStore stable() {
        return this;
    }

    @Override
    public SnapshotStore snapshots() {
        return snapshots;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        snapshots.close();
        try {
            journal.close();
        } catch (IOException e) {
            throw new StorageException("closing " + journalPath + " failed: " + e.getMessage(), e);
        }
    }
}
