package com.example.journal.internal;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.storage.StorageException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Snapshots as two files each: {@code NAME.data} and {@code NAME.meta} (index, term, configuration,
 * size, CRC-32C), where NAME orders by index. Written under {@code .tmp} names, fsynced, then the
 * meta file is renamed last, so a snapshot exists exactly when its meta file does.
 */
final class FileSnapshots implements SnapshotStore {
    private final Path dir;
    private final int retain;
    private long sequence;
    private volatile boolean closed;

    FileSnapshots(Path dir, int retain) throws IOException {
        this.dir = dir;
        this.retain = retain;
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> p.toString().endsWith(".tmp")).forEach(p -> p.toFile().delete());
        }
    }

    void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new StorageException("snapshot store in " + dir + " is closed");
        }
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public synchronized Writer create(long index, long term, byte[] config) {
        checkOpen();
        byte[] configuration = config == null ? new byte[0] : config.clone();
        String name = String.format("%020d-%020d-%d", index, term, System.nanoTime() + (sequence++));
        Path dataTmp = dir.resolve(name + ".data.tmp");
        OutputStream file;
        try {
            file = Files.newOutputStream(dataTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StorageException("cannot create snapshot file " + dataTmp + ": " + e.getMessage(), e);
        }
        CRC32C crc = new CRC32C();
        long[] size = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                file.write(b);
                crc.update(b);
                size[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                file.write(b, off, len);
                crc.update(b, off, len);
                size[0] += len;
            }
        };
        return new Writer() {
            private boolean done;

            @Override
            public OutputStream stream() {
                return counting;
            }

            @Override
            public SnapshotMeta commit() throws IOException {
                if (done) {
                    throw new IllegalStateException("snapshot already committed or aborted");
                }
                done = true;
                file.close();
                try (FileChannel ch = FileChannel.open(dataTmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                SnapshotMeta meta = new SnapshotMeta(name, index, term, configuration, size[0], crc.getValue());
                Path metaTmp = dir.resolve(name + ".meta.tmp");
                try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(metaTmp))) {
                    out.writeLong(index);
                    out.writeLong(term);
                    out.writeInt(configuration.length);
                    out.write(configuration);
                    out.writeLong(size[0]);
                    out.writeLong(crc.getValue());
                }
                try (FileChannel ch = FileChannel.open(metaTmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(dataTmp, dir.resolve(name + ".data"), StandardCopyOption.ATOMIC_MOVE);
                Files.move(metaTmp, dir.resolve(name + ".meta"), StandardCopyOption.ATOMIC_MOVE);
                fsyncDir(dir);
                prune();
                return meta;
            }

            @Override
            public void abort() {
                if (!done) {
                    done = true;
                    try {
                        file.close();
                        Files.deleteIfExists(dataTmp);
                    } catch (IOException ignored) {
                        // A leftover .tmp file is removed at the next open.
                    }
                }
            }
        };
    }

    private synchronized void prune() throws IOException {
        List<SnapshotMeta> all = list();
        for (int i = retain; i < all.size(); i++) {
            Files.deleteIfExists(dir.resolve(all.get(i).id() + ".meta"));
            Files.deleteIfExists(dir.resolve(all.get(i).id() + ".data"));
        }
    }

    @Override
    public synchronized List<SnapshotMeta> list() {
        checkOpen();
        List<SnapshotMeta> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(x -> x.toString().endsWith(".meta")).toList()) {
                String name = p.getFileName().toString();
                out.add(readMeta(name.substring(0, name.length() - ".meta".length())));
            }
        } catch (IOException e) {
            throw new StorageException("cannot list snapshots in " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(SnapshotMeta::index).thenComparing(SnapshotMeta::id).reversed());
        return out;
    }

    private SnapshotMeta readMeta(String id) throws IOException {
        Path p = dir.resolve(id + ".meta");
        try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
            long index = in.readLong();
            long term = in.readLong();
            int n = in.readInt();
            if (n < 0 || n > (16 << 20)) {
                throw new CorruptionException(p + ": bad configuration length " + n);
            }
            byte[] conf = new byte[n];
            in.readFully(conf);
            return new SnapshotMeta(id, index, term, conf, in.readLong(), in.readLong());
        } catch (java.io.EOFException e) {
            throw new CorruptionException(p + ": truncated snapshot metadata", e);
        }
    }

    @Override
    public synchronized Optional<Reader> open(String id) {
        checkOpen();
        if (!id.matches("[0-9-]+") || !Files.exists(dir.resolve(id + ".meta"))) {
            return Optional.empty();
        }
        try {
            SnapshotMeta meta = readMeta(id);
            Path data = dir.resolve(id + ".data");
            InputStream raw = Files.newInputStream(data);
            CRC32C crc = new CRC32C();
            InputStream checked = new FilterInputStream(raw) {
                private long seen;

                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        crc.update(b);
                        seen++;
                    } else {
                        verify();
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        crc.update(b, off, n);
                        seen += n;
                    } else if (n < 0) {
                        verify();
                    }
                    return n;
                }

                private void verify() {
                    if (seen != meta.size() || crc.getValue() != meta.crc32c()) {
                        throw new CorruptionException(data + ": snapshot data fails its checksum (read " + seen
                                + " of " + meta.size() + " bytes)");
                    }
                }
            };
            return Optional.of(new Reader() {
                @Override
                public SnapshotMeta meta() {
                    return meta;
                }

                @Override
                public InputStream stream() {
                    return checked;
                }

                @Override
                public void close() throws IOException {
                    raw.close();
                }
            });
        } catch (IOException e) {
            throw new StorageException("cannot open snapshot " + id + ": " + e.getMessage(), e);
        }
    }
}
