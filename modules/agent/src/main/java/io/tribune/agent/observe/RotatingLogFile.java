package io.tribune.agent.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The agent's log file with rotation, as Consul 1.4's {@code -log-file}: the setting names a file
 * ({@code /var/log/tribune.log}) or a directory ({@code /var/log/}, the prefix is then
 * {@code tribune}); every file is named {@code <prefix>-<creation time in epoch nanoseconds><ext>}
 * ({@code .log} when the name has no extension). A new file begins when the current one would grow
 * past {@code rotateBytes} (0: no size limit) or has been open {@code rotateDuration}; afterwards
 * only the newest {@code maxFiles} older files are kept (0: all, -1: none).
 *
 * <p>Time comes from the {@code nowMillis} handed in (wall-clock milliseconds), so tests drive
 * rotation with a virtual clock. Thread-safe: writes are serialized. A write that fails (disk full)
 * throws {@link UncheckedIOException}; the caller (a log handler) reports it once and goes on.
 */
public final class RotatingLogFile implements AutoCloseable {
    private final Path dir;
    private final String prefix;
    private final String ext;
    private final long rotateBytes;
    private final long rotateMillis;
    private final int maxFiles;
    private final LongSupplier nowMillis;
    private OutputStream out;
    private Path current;
    private long createdMillis;
    private long written;
    private long lastNanosName;

    /**
     * A log file as {@code settings} say (its {@code file} must be set); nothing is opened before the
     * first write.
     *
     * @param nowMillis wall-clock milliseconds since the epoch
     */
    public RotatingLogFile(LogSettings settings, LongSupplier nowMillis) {
        Objects.requireNonNull(settings, "settings");
        this.nowMillis = Objects.requireNonNull(nowMillis, "nowMillis");
        String raw = settings.file().orElseThrow(() -> new IllegalArgumentException("no log file configured"));
        Path p = Path.of(raw);
        if (Files.isDirectory(p) || raw.endsWith("/") || raw.endsWith(java.io.File.separator)) {
            dir = p;
            prefix = "tribune";
            ext = ".log";
        } else {
            dir = p.toAbsolutePath().getParent();
            String name = p.getFileName().toString();
            int dot = name.lastIndexOf('.');
            if (dot > 0) {
                prefix = name.substring(0, dot);
                ext = name.substring(dot);
            } else {
                prefix = name;
                ext = ".log";
            }
        }
        this.rotateBytes = settings.rotateBytes();
        this.rotateMillis = settings.rotateDuration().toMillis();
        this.maxFiles = settings.maxFiles();
    }

    /** The file written now; empty before the first write. */
    public synchronized java.util.Optional<Path> current() {
        return java.util.Optional.ofNullable(current);
    }

    /** Appends {@code line} and a newline, first starting a new file when the current one is due. */
    public synchronized void write(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        long now = nowMillis.getAsLong();
        try {
            if (out == null || rotationDue(now, bytes.length)) {
                openNew(now);
            }
            out.write(bytes);
            out.flush();
            written += bytes.length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write log file " + current + ": " + e.getMessage(), e);
        }
    }

    private boolean rotationDue(long now, int next) {
        if (rotateBytes > 0 && written > 0 && written + next > rotateBytes) {
            return true;
        }
        return rotateMillis > 0 && now - createdMillis >= rotateMillis;
    }

    private void openNew(long now) throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
        Files.createDirectories(dir);
        // Names carry nanoseconds as Consul's do; two files opened in one millisecond get distinct names.
        long nanos = Math.max(now * 1_000_000L, lastNanosName + 1);
        Path p = dir.resolve(prefix + "-" + nanos + ext);
        while (Files.exists(p)) {
            nanos++;
            p = dir.resolve(prefix + "-" + nanos + ext);
        }
        lastNanosName = nanos;
        out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        current = p;
        createdMillis = now;
        written = 0;
        prune();
    }

    /** Deletes the oldest files beyond {@code maxFiles} older ones (the current file never counts). */
    private void prune() throws IOException {
        if (maxFiles == 0) {
            return;
        }
        List<Path> older = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, prefix + "-*" + ext)) {
            for (Path f : ds) {
                if (!f.equals(current) && stamp(f) >= 0) {
                    older.add(f);
                }
            }
        }
        older.sort(java.util.Comparator.comparingLong(this::stamp));
        int keep = Math.max(0, maxFiles);
        for (int i = 0; i < older.size() - keep; i++) {
            Files.deleteIfExists(older.get(i));
        }
    }

    /** The creation stamp in a file's name, or -1 when the name is not one of ours. */
    private long stamp(Path f) {
        String n = f.getFileName().toString();
        String mid = n.substring(prefix.length() + 1, n.length() - ext.length());
        try {
            return Long.parseLong(mid);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Closes the current file; a later write opens a new one. */
    @Override
    public synchronized void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // Closing at shutdown: nothing useful to do with a failure.
            }
            out = null;
        }
    }

    /** Default rotation period, Consul's: a day. */
    public static final Duration DEFAULT_ROTATE_DURATION = Duration.ofHours(24);
}
