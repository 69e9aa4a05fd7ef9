package io.tribune.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary OSGi caches (an agent without a data dir, or a CLI command): each one is a directory
 * {@code tribune-felix-N} in the temporary directory with a sibling {@code tribune-felix-N.pid}
 * naming its process. A process stopped normally deletes its cache; one killed with SIGKILL cannot,
 * and its cache (tens of MiB: the plugins' embedded jars) would stay forever. So creating a cache
 * first deletes the caches whose process is gone.
 */
final class TempCaches {
    static final String PREFIX = "tribune-felix-";
    private static final String PID_SUFFIX = ".pid";

    private TempCaches() {
    }

    /** A new cache directory in {@code root}, owned by this process; stale ones are reaped first. */
    static Path create(Path root) throws IOException {
        reap(root);
        Path dir = Files.createTempDirectory(root, PREFIX);
        Files.writeString(pidFile(dir), Long.toString(ProcessHandle.current().pid()), StandardCharsets.US_ASCII);
        return dir;
    }

    /** Deletes {@code dir} and its pid file (best effort). */
    static void delete(Path dir) {
        deleteTree(dir);
        try {
            Files.deleteIfExists(pidFile(dir));
        } catch (IOException ignored) {
            // Reaped by a later start, as for a killed process.
        }
    }

    /**
     * Deletes the caches in {@code root} whose owner process no longer runs; caches without a pid
     * file, or whose file cannot be read, are left alone (they may belong to someone else).
     *
     * @return how many were deleted
     */
    static int reap(Path root) {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, PREFIX + "*" + PID_SUFFIX)) {
            for (Path pid : s) {
                long owner;
                try {
                    owner = Long.parseLong(Files.readString(pid, StandardCharsets.US_ASCII).trim());
                } catch (IOException | NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                String name = pid.getFileName().toString();
                delete(root.resolve(name.substring(0, name.length() - PID_SUFFIX.length())));
                n++;
            }
        } catch (IOException ignored) {
            // Nothing to reap, or no right to look: the new cache is created anyway.
        }
        return n;
    }

    private static Path pidFile(Path dir) {
        return dir.resolveSibling(dir.getFileName() + PID_SUFFIX);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // Best effort: what is left is reaped by a later start.
                }
            });
        } catch (IOException ignored) {
            // Best effort, as above.
        }
    }
}
