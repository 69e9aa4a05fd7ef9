package io.tribune.storage.rocksdb.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Snapshots as files in one directory.
 *
 * <p>File {@code snapshot-<index:20>-<seq:20>.snap}: a header {@code [magic 8B "TRIBSNAP"][format 4B]
 * [index 8B][term 8B][seq 8B][configuration length 4B][configuration][header crc32c 4B]}, the data,
 * and a footer {@code [magic 8B "TRIBEND1"][data size 8B][data crc32c 4B][footer crc32c 4B]}.
 *
 * <p>A writer writes {@code <name>.tmp}; commit appends the footer, fsyncs the file, renames it
 * atomically to its final name and fsyncs the directory, so a crash leaves either no snapshot or a
 * complete one (leftover {@code .tmp} files are deleted at start-up). Then all but the newest
 * {@code retain} are deleted. The snapshot id is {@code <index>-<seq>}; {@code seq} grows per store
 * and survives restarts, so ids are unique and equal indices are ordered by age.
 */
final class FileSnapshotStore implements SnapshotStore {
    private static final byte[] HEAD_MAGIC = {'T', 'R', 'I', 'B', 'S', 'N', 'A', 'P'};
    private static final byte[] FOOT_MAGIC = {'T', 'R', 'I', 'B', 'E', 'N', 'D', '1'};
    private static final int FORMAT = 1;
    private static final int FOOTER = 8 + 8 + 4 + 4;
    private static final int MAX_CONFIGURATION = 1 << 20;
    private static final Pattern FILE = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
    private static final Pattern ID = Pattern.compile("(\\d{1,19})-(\\d{1,19})");

    private final Path dir;
    private final int retain;
    private final long maxBytes;
    private final Lifecycle lifecycle;
    private final AtomicLong sequence = new AtomicLong();
    /** Committed snapshots, oldest first by (index, seq). */
    private final TreeMap<Key, Stored> committed = new TreeMap<>();
    private final Set<FileWriter> openWriters = ConcurrentHashMap.newKeySet();

    private record Key(long index, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(index, o.index);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** A committed snapshot: its metadata, file and where its data starts. */
    private record Stored(SnapshotMeta meta, Path file, long dataOffset) {
    }

    FileSnapshotStore(Path dir, RocksSettings settings, Lifecycle lifecycle) throws IOException {
        this.dir = dir;
        this.retain = settings.snapshotsRetain();
        this.maxBytes = settings.maxSnapshotBytes();
        this.lifecycle = lifecycle;
        if (Files.notExists(dir)) {
            Files.createDirectories(dir);
            // The new directory's own entry must be durable before files in it can be.
            try (FileChannel parent = FileChannel.open(dir.getParent(), StandardOpenOption.READ)) {
                parent.force(true);
            }
        }
        load();
    }

    private static String fileName(long index, long seq) {
        return String.format("snapshot-%020d-%020d.snap", index, seq);
    }

    /** Reads every committed file's header and footer; deletes unfinished writes. */
    private void load() throws IOException {
        long maxSeq = 0;
        boolean deleted = false;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.endsWith(".snap.tmp")) {
                    Matcher m = FILE.matcher(name.substring(0, name.length() - 4));
                    if (m.matches()) {
                        maxSeq = Math.max(maxSeq, Long.parseLong(m.group(2)));
                    }
                    Files.deleteIfExists(p);
                    deleted = true;
                    continue;
                }
                Matcher m = FILE.matcher(name);
                if (!m.matches()) {
                    continue;
                }
                Stored s = readMeta(p);
                long seq = Long.parseLong(m.group(2));
                if (s.meta().index() != Long.parseLong(m.group(1))) {
                    throw new CorruptionException("snapshot file " + p + " holds index " + s.meta().index()
                            + ", not the index in its name");
                }
                maxSeq = Math.max(maxSeq, seq);
                committed.put(new Key(s.meta().index(), seq), s);
            }
        }
        sequence.set(maxSeq);
        if (deleted) {
            fsyncDir();
        }
    }

    /**
     * Validates header and footer of a committed file.
     *
     * @throws CorruptionException naming the file and the part that fails
     */
    private static Stored readMeta(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            Header h = readHeader(ch, p);
            if (fileSize < h.length + FOOTER) {
                throw new CorruptionException("snapshot file " + p + " is " + fileSize + " bytes, too short for its "
                        + h.length + "-byte header and footer");
            }
            ByteBuffer foot = ByteBuffer.allocate(FOOTER);
            readFully(ch, foot, fileSize - FOOTER, p);
            foot.flip();
            byte[] magic = new byte[8];
            foot.get(magic);
            long size = foot.getLong();
            long dataCrc = Integer.toUnsignedLong(foot.getInt());
            long footCrc = Integer.toUnsignedLong(foot.getInt());
            CRC32C c = new CRC32C();
            c.update(foot.array(), 0, FOOTER - 4);
            if (!java.util.Arrays.equals(magic, FOOT_MAGIC) || c.getValue() != footCrc) {
                throw new CorruptionException("snapshot file " + p + ": footer at offset " + (fileSize - FOOTER)
                        + " fails its magic or CRC-32C check");
            }
            if (h.length + size + FOOTER != fileSize) {
                throw new CorruptionException("snapshot file " + p + " is " + fileSize + " bytes but its footer says "
                        + size + " data bytes after a " + h.length + "-byte header");
            }
            String id = h.index + "-" + h.seq;
            return new Stored(new SnapshotMeta(id, h.index, h.term, h.configuration, size, dataCrc), p, h.length);
        }
    }

    private record Header(long index, long term, long seq, byte[] configuration, long length) {
    }

    private static Header readHeader(FileChannel ch, Path p) throws IOException {
        int fixed = 8 + 4 + 8 + 8 + 8 + 4;
        if (ch.size() < fixed + 4) {
            throw new CorruptionException("snapshot file " + p + " is " + ch.size() + " bytes, too short for a header");
        }
        ByteBuffer b = ByteBuffer.allocate(fixed);
        readFully(ch, b, 0, p);
        b.flip();
        byte[] magic = new byte[8];
        b.get(magic);
        int format = b.getInt();
        long index = b.getLong();
        long term = b.getLong();
        long seq = b.getLong();
        int confLen = b.getInt();
        if (!java.util.Arrays.equals(magic, HEAD_MAGIC) || format != FORMAT || confLen < 0
                || confLen > MAX_CONFIGURATION || fixed + confLen + 4L > ch.size()) {
            throw new CorruptionException("snapshot file " + p + ": header at offset 0 is not a format-" + FORMAT
                    + " snapshot header (magic, format or configuration length is wrong)");
        }
        ByteBuffer rest = ByteBuffer.allocate(confLen + 4);
        readFully(ch, rest, fixed, p);
        rest.flip();
        byte[] conf = new byte[confLen];
        rest.get(conf);
        long stored = Integer.toUnsignedLong(rest.getInt());
        CRC32C c = new CRC32C();
        c.update(b.array());
        c.update(conf);
        if (c.getValue() != stored) {
            throw new CorruptionException("snapshot file " + p + ": header (bytes 0.." + (fixed + confLen + 4)
                    + ") fails its CRC-32C check");
        }
        return new Header(index, term, seq, conf, fixed + confLen + 4L);
    }

    private static byte[] header(long index, long term, long seq, byte[] conf) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + 8 + 8 + 8 + 4 + conf.length + 4);
        b.put(HEAD_MAGIC).putInt(FORMAT).putLong(index).putLong(term).putLong(seq).putInt(conf.length).put(conf);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, b.position());
        b.putInt((int) c.getValue());
        return b.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long position, Path p) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new CorruptionException("snapshot file " + p + " ends early at offset " + pos);
            }
            pos += n;
        }
    }

    private void fsyncDir() throws IOException {
        // A rename or delete is durable only once the directory itself is synced.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public Writer create(long index, long term, byte[] configuration) {
        if (index < 0 || term < 0) {
            throw new IllegalArgumentException("snapshot index and term must be >= 0, got index " + index + " term " + term);
        }
        byte[] conf = configuration == null ? new byte[0] : configuration.clone();
        if (conf.length > MAX_CONFIGURATION) {
            throw new IllegalArgumentException("snapshot configuration has " + conf.length + " bytes, above the limit of "
                    + MAX_CONFIGURATION);
        }
        lifecycle.enter();
        try {
            long seq = sequence.incrementAndGet();
            Path tmp = dir.resolve(fileName(index, seq) + ".tmp");
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ByteBuffer h = ByteBuffer.wrap(header(index, term, seq, conf));
                while (h.hasRemaining()) {
                    ch.write(h);
                }
            } catch (IOException | RuntimeException e) {
                ch.close();
                Files.deleteIfExists(tmp);
                throw e;
            }
            FileWriter w = new FileWriter(index, term, seq, conf, tmp, ch);
            openWriters.add(w);
            return w;
        } catch (IOException e) {
            throw new StorageException("storage-rocksdb: cannot start snapshot " + index + " in " + dir + ": " + e, e);
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public List<SnapshotMeta> list() {
        lifecycle.enter();
        try {
            synchronized (committed) {
                List<SnapshotMeta> out = new ArrayList<>(committed.size());
                committed.descendingMap().values().forEach(s -> out.add(s.meta()));
                return out;
            }
        } finally {
            lifecycle.exit();
        }
    }

    @Override
    public Optional<Reader> open(String id) {
        lifecycle.enter();
        try {
            Matcher m = ID.matcher(String.valueOf(id));
            if (!m.matches()) {
                return Optional.empty();
            }
            Stored s;
            synchronized (committed) {
                s = committed.get(new Key(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
            if (s == null) {
                return Optional.empty();
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(s.file(), StandardOpenOption.READ);
            } catch (NoSuchFileException gone) {
                // Deleted by retention between the lookup and the open.
                return Optional.empty();
            }
            return Optional.of(new FileReader(s, ch));
        } catch (IOException e) {
            throw new StorageException("storage-rocksdb: cannot open snapshot " + id + " in " + dir + ": " + e, e);
        } finally {
            lifecycle.exit();
        }
    }

    /** Aborts writers still open when the storage closes, deleting their temporary files. */
    void abortOpenWriters() {
        for (FileWriter w : List.copyOf(openWriters)) {
            w.abort();
        }
    }

    private SnapshotMeta publish(FileWriter w, long size, long crc) throws IOException {
        Path target = dir.resolve(fileName(w.index, w.seq));
        Files.move(w.tmp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDir();
        SnapshotMeta meta = new SnapshotMeta(w.index + "-" + w.seq, w.index, w.term, w.conf, size, crc);
        List<Path> doomed = new ArrayList<>();
        synchronized (committed) {
            committed.put(new Key(w.index, w.seq), new Stored(meta, target, w.headerLength));
            while (committed.size() > retain) {
                doomed.add(committed.pollFirstEntry().getValue().file());
            }
        }
        for (Path p : doomed) {
            Files.deleteIfExists(p);
        }
        if (!doomed.isEmpty()) {
            fsyncDir();
        }
        return meta;
    }

    /** Writes data to the temporary file through a buffer, counting and checksumming it. */
    private final class FileWriter implements Writer {
        private final long index;
        private final long term;
        private final long seq;
        private final byte[] conf;
        private final Path tmp;
        private final FileChannel channel;
        private final long headerLength;
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private final CRC32C crc = new CRC32C();
        private long count;
        private boolean committedOrAborted;
        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                ensureOpen(1);
                if (!buffer.hasRemaining()) {
                    drain();
                }
                buffer.put((byte) b);
                crc.update(b);
                count++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                java.util.Objects.checkFromIndexSize(off, len, b.length);
                ensureOpen(len);
                crc.update(b, off, len);
                count += len;
                int pos = off;
                int left = len;
                while (left > 0) {
                    if (!buffer.hasRemaining()) {
                        drain();
                    }
                    int n = Math.min(left, buffer.remaining());
                    buffer.put(b, pos, n);
                    pos += n;
                    left -= n;
                }
            }

            @Override
            public void flush() throws IOException {
                ensureOpen(0);
                drain();
            }
        };

        FileWriter(long index, long term, long seq, byte[] conf, Path tmp, FileChannel channel) throws IOException {
            this.index = index;
            this.term = term;
            this.seq = seq;
            this.conf = conf;
            this.tmp = tmp;
            this.channel = channel;
            this.headerLength = channel.position();
        }

        private void ensureOpen(int more) throws IOException {
            if (committedOrAborted) {
                throw new IOException("snapshot writer for index " + index + " is already committed or aborted");
            }
            if (count + more > maxBytes) {
                throw new IOException("snapshot " + index + " exceeds the limit of " + maxBytes
                        + " bytes (storage-rocksdb.snapshots.max-bytes)");
            }
        }

        private void drain() throws IOException {
            buffer.flip();
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                throw new IOException("writing snapshot file " + tmp + " failed (disk full?): " + e.getMessage(), e);
            } finally {
                buffer.clear();
            }
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public SnapshotMeta commit() throws IOException {
            ensureOpen(0);
            lifecycle.enter();
            try {
                drain();
                long dataCrc = crc.getValue();
                ByteBuffer foot = ByteBuffer.allocate(FOOTER);
                foot.put(FOOT_MAGIC).putLong(count).putInt((int) dataCrc);
                CRC32C c = new CRC32C();
                c.update(foot.array(), 0, FOOTER - 4);
                foot.putInt((int) c.getValue());
                foot.flip();
                while (foot.hasRemaining()) {
                    channel.write(foot);
                }
                channel.force(true);
                channel.close();
                committedOrAborted = true;
                openWriters.remove(this);
                return publish(this, count, dataCrc);
            } catch (IOException | RuntimeException e) {
                abort();
                throw new IOException("committing snapshot " + index + " to " + dir + " failed: " + e.getMessage(), e);
            } finally {
                lifecycle.exit();
            }
        }

        @Override
        public void abort() {
            boolean wasOpen = openWriters.remove(this);
            if (committedOrAborted && !wasOpen) {
                return;
            }
            committedOrAborted = true;
            try {
                channel.close();
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // The file is garbage either way; start-up deletes leftover temporaries.
            }
        }
    }

    /** Streams the data region of a snapshot file and checks its CRC-32C at the end. */
    private static final class FileReader implements Reader {
        private final Stored stored;
        private final FileChannel channel;
        private final InputStream stream;

        FileReader(Stored stored, FileChannel channel) {
            this.stored = stored;
            this.channel = channel;
            this.stream = new CheckedRegionStream(channel, stored);
        }

        @Override
        public SnapshotMeta meta() {
            return stored.meta();
        }

        @Override
        public InputStream stream() {
            return stream;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    private static final class CheckedRegionStream extends InputStream {
        private final FileChannel channel;
        private final Stored stored;
        private final CRC32C crc = new CRC32C();
        private long pos;

        CheckedRegionStream(FileChannel channel, Stored stored) {
            this.channel = channel;
            this.stored = stored;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            long size = stored.meta().size();
            if (pos >= size) {
                verify();
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            int want = (int) Math.min(len, size - pos);
            int n = channel.read(ByteBuffer.wrap(b, off, want), stored.dataOffset() + pos);
            if (n < 0) {
                throw new CorruptionException("snapshot " + stored.meta().id() + " in " + stored.file()
                        + " ends at data offset " + pos + " of " + size);
            }
            crc.update(b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, stored.meta().size() - pos);
        }

        private void verify() {
            if (crc.getValue() != stored.meta().crc32c()) {
                throw new CorruptionException("snapshot " + stored.meta().id() + " in " + stored.file() + ": data (bytes "
                        + stored.dataOffset() + ".." + (stored.dataOffset() + stored.meta().size())
                        + " of the file) fails its CRC-32C check (stored " + Long.toHexString(stored.meta().crc32c())
                        + ", computed " + Long.toHexString(crc.getValue()) + ")");
            }
        }
    }
}
