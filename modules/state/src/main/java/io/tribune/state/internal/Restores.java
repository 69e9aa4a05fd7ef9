package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandResult.Failed.Kind;
import java.io.IOException;

/**
 * The staged restore commands as pure functions of the state and the command: a restore travels
 * through the log as {@link Command.RestoreBegin}, {@link Command.RestoreChunk}s and
 * {@link Command.RestoreCommit}, so every server applies the same bytes at the same index and a
 * server that replays its log after a restart reaches the same state. No clock, no randomness,
 * no I/O: the decision on each command depends only on the staged restore in the state.
 */
public final class Restores {
    private Restores() {
    }

    /**
     * What a restore command does.
     *
     * @param next     the state after it (at the command's index)
     * @param result   its result
     * @param replaced whether the whole state was replaced (the store then wakes every watcher)
     */
    public record Outcome(State next, CommandResult result, boolean replaced) {
    }

    /** Whether {@code c} is one of the staged restore commands. */
    public static boolean handles(Command c) {
        return c instanceof Command.RestoreBegin || c instanceof Command.RestoreChunk
                || c instanceof Command.RestoreCommit;
    }

    /** Applies a validated restore command to {@code s} at {@code index}. */
    public static Outcome apply(State s, long index, Command c) {
        if (c instanceof Command.RestoreBegin b) {
            // A new begin abandons whatever was staged: one restore at a time, the newest wins.
            return new Outcome(s.withStaged(index, StagedRestore.begin(b.id(), b.totalBytes(), b.crc32c())),
                    new CommandResult.Done(), false);
        }
        if (c instanceof Command.RestoreChunk k) {
            return chunk(s, index, k);
        }
        return commit(s, index, (Command.RestoreCommit) c);
    }

    private static Outcome unchanged(State s, long index, Kind kind, String message) {
        return new Outcome(s.withIndex(index), new CommandResult.Failed(kind, message), false);
    }

    private static Outcome chunk(State s, long index, Command.RestoreChunk k) {
        StagedRestore r = s.staged;
        if (r == null || !r.id.equals(k.id())) {
            return unchanged(s, index, Kind.NOT_FOUND, notStaged(r, k.id()));
        }
        if (k.offset() != r.received()) {
            return unchanged(s, index, Kind.REJECTED, "restore " + k.id() + ": piece at offset " + k.offset()
                    + " is out of order; " + r.received() + " bytes are staged");
        }
        if (r.received() + k.length() > r.totalBytes) {
            return unchanged(s, index, Kind.REJECTED, "restore " + k.id() + ": piece of " + k.length()
                    + " bytes at offset " + k.offset() + " goes past the announced " + r.totalBytes + " bytes");
        }
        StagedRestore next = r.append(k);
        return new Outcome(s.withStaged(index, next), new CommandResult.Count(next.received()), false);
    }

    private static Outcome commit(State s, long index, Command.RestoreCommit m) {
        StagedRestore r = s.staged;
        if (r == null || !r.id.equals(m.id())) {
            return unchanged(s, index, Kind.NOT_FOUND, notStaged(r, m.id()));
        }
        // From here on the staged restore is spent either way: a failed commit frees its buffer.
        State abandoned = s.withStaged(index, null);
        if (!r.complete()) {
            return new Outcome(abandoned, new CommandResult.Failed(Kind.REJECTED, "restore " + m.id() + ": only "
                    + r.received() + " of " + r.totalBytes + " bytes arrived; the restore is abandoned"), false);
        }
        long crc = r.checksum();
        if (crc != r.crc32c) {
            return new Outcome(abandoned, new CommandResult.Failed(Kind.INVALID, "restore " + m.id()
                    + ": checksum mismatch (staged bytes have CRC32C " + Long.toHexString(crc) + ", announced "
                    + Long.toHexString(r.crc32c) + "); the restore is abandoned"), false);
        }
        State restored;
        try {
            // A restore staged inside the snapshot being restored belongs to another time: dropped.
            // So does its dedup table: which requests this log applied is a fact about the log, not
            // about the data, so the live table carries on (a retry of a request applied before
            // the restore is still answered, not applied to the restored data).
            restored = SnapshotCodec.read(r.bytes(), (int) r.received(), index, false).withDedup(s.dedup);
        } catch (IOException e) {
            return new Outcome(abandoned, new CommandResult.Failed(Kind.INVALID, "restore " + m.id()
                    + ": invalid snapshot: " + e.getMessage()), false);
        }
        return new Outcome(restored, new CommandResult.Done(), true);
    }

    private static String notStaged(StagedRestore r, String id) {
        return "restore " + id + " is not staged" + (r == null ? " (no restore is)" : " (restore " + r.id
                + " is staged instead)");
    }
}
