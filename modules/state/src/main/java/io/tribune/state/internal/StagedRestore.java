package io.tribune.state.internal;

import io.tribune.state.Command;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The one restore being staged through the log: its id, announced length and checksum, and the
 * bytes received so far. Part of every {@link State} version (and of the state snapshot), so that
 * a server restored from a snapshot taken between the first and the last piece still holds the
 * pieces the log no longer has.
 *
 * <p><b>Immutable view, shared buffer.</b> A version sees {@code buffer[0, length)}. Appending
 * writes past the newest version's length, into the same array while it has room, and returns a
 * new version; older versions (captured by a snapshot being written on another thread) never see
 * those bytes, because they read only up to their own length and the array reference they hold is
 * final. Growing copies into a new array that only the new version holds. Versions form a line
 * (each apply derives from the latest); should an append ever start from an older version, it
 * copies instead of overwriting bytes a newer version owns.
 *
 * <p>Apply thread only, except reads of {@code [0, length)} by snapshot writers.
 */
public final class StagedRestore {
    /** The restore's id. */
    public final String id;
    /** Announced length of the snapshot. */
    public final long totalBytes;
    /** Announced CRC32C of the snapshot, unsigned. */
    public final long crc32c;
    private final byte[] buffer;
    private final int length;
    /** How far the newest version sharing {@link #buffer} has written (apply thread only). */
    private final int[] frontier;

    private StagedRestore(String id, long totalBytes, long crc32c, byte[] buffer, int length, int[] frontier) {
        this.id = Objects.requireNonNull(id, "id");
        this.totalBytes = totalBytes;
        this.crc32c = crc32c;
        this.buffer = buffer;
        this.length = length;
        this.frontier = frontier;
    }

    /** A restore that has received nothing yet; allocates nothing up front. */
    public static StagedRestore begin(String id, long totalBytes, long crc32c) {
        return new StagedRestore(id, totalBytes, crc32c, new byte[0], 0, new int[] {0});
    }

    /** A staged restore read back from a snapshot, holding {@code bytes[0, length)}. */
    static StagedRestore of(String id, long totalBytes, long crc32c, byte[] bytes, int length) {
        return new StagedRestore(id, totalBytes, crc32c, bytes, length, new int[] {length});
    }

    /** Bytes received so far. */
    public long received() {
        return length;
    }

    /** Whether every announced byte arrived. */
    public boolean complete() {
        return length == totalBytes;
    }

    /**
     * This restore with {@code piece} appended. The caller checked that the piece starts at
     * {@link #received()} and stays within {@link #totalBytes}.
     */
    public StagedRestore append(Command.RestoreChunk piece) {
        int n = piece.length();
        int end = Math.addExact(length, n);
        if (end > totalBytes) {
            throw new IllegalArgumentException("piece ends at " + end + ", beyond the announced " + totalBytes);
        }
        byte[] target = buffer;
        int[] owner = frontier;
        if (frontier[0] != length || end > buffer.length) {
            // Doubling bounds the copying to about twice the snapshot; never beyond the announced size.
            long capacity = Math.min(totalBytes, Math.max(end, Math.max(64 * 1024L, 2L * buffer.length)));
            target = Arrays.copyOf(buffer, (int) capacity);
            owner = new int[] {length};
        }
        piece.copyTo(target, length);
        owner[0] = end;
        return new StagedRestore(id, totalBytes, crc32c, target, end, owner);
    }

    /** CRC32C of the bytes received, unsigned. */
    public long checksum() {
        CRC32C crc = new CRC32C();
        crc.update(buffer, 0, length);
        return crc.getValue();
    }

    /** The buffer holding the received bytes in {@code [0, received())}; callers must not write to it. */
    byte[] bytes() {
        return buffer;
    }
}
