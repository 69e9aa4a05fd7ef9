package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import java.util.Objects;

/**
 * Saving and restoring the whole replicated state (Consul's {@code Snapshot} endpoint). A snapshot
 * travels as a {@link SnapshotArchive}: Consul's gzip-compressed tar of {@code meta.json},
 * {@code state.bin} (the state store's own format, {@code docs/state.md}) and {@code SHA256SUMS}.
 */
public final class Snapshots {
    /** Media type of a snapshot: the archive, as Consul answers it. */
    public static final String CONTENT_TYPE = SnapshotArchive.CONTENT_TYPE;

    private Snapshots() {
    }

    /**
     * The whole state as a {@link SnapshotArchive} (its {@code state.bin} in the state store's snapshot
     * format); the answer's index is the index it was captured at, also in {@code meta.json} with the
     * server's current term. A {@code default}/{@code consistent} save runs on the leader;
     * {@code stale} on any server.
     */
    public record Save() implements Op.Read<byte[]> {
    }

    /**
     * Replaces the whole state with a saved snapshot, through the log (every server applies it), and
     * answers once this server applied it; the answer's index is the restore's commit index. The
     * snapshot is verified completely before anything is proposed ({@link #stateOf}, then the state
     * file itself): a corrupt one is a {@code BAD_REQUEST} and changes nothing.
     */
    public record Restore(byte[] snapshot) implements Op.Write<Boolean> {
        public Restore {
            Objects.requireNonNull(snapshot, "snapshot");
            if (snapshot.length == 0) {
                throw AgentException.badRequest(
                        "missing snapshot: send the bytes saved by GET /v1/snapshot as the request body");
            }
            if (snapshot.length > CommandValidator.MAX_RESTORE_BYTES) {
                throw new AgentException(AgentException.Kind.TOO_LARGE, "snapshot of " + snapshot.length
                        + " bytes is larger than the " + CommandValidator.MAX_RESTORE_BYTES
                        + " bytes a restore may stage");
            }
        }

        @Override
        public String toString() {
            return "Restore[" + snapshot.length + " bytes]";
        }
    }

    /**
     * The state file inside a snapshot given to a restore: the {@code state.bin} of a
     * {@link SnapshotArchive}, verified (sums, size, bounds). Input that is not gzip-compressed is
     * taken as a bare state file, the format Tribune saved before it wrote archives (and what an
     * operator gets by extracting {@code state.bin}); the state store verifies that one on its own.
     *
     * @throws AgentException {@code BAD_REQUEST} naming what is wrong with the archive
     */
    public static byte[] stateOf(byte[] snapshot) {
        if (!SnapshotArchive.looksLikeArchive(snapshot)) {
            return snapshot;
        }
        try {
            return SnapshotArchive.read(snapshot, CommandValidator.MAX_RESTORE_BYTES).state();
        } catch (SnapshotArchive.InvalidArchiveException e) {
            throw AgentException.badRequest("invalid snapshot archive: " + e.getMessage());
        }
    }
}
