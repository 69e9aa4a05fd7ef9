package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import java.util.Objects;

/** Saving and restoring the whole replicated state (Consul's {@code Snapshot} endpoint). */
public final class Snapshots {
    /** Media type of a snapshot: the state store's own format ({@code docs/state.md}). */
    public static final String CONTENT_TYPE = "application/x-tribune-snapshot";

    private Snapshots() {
    }

    /**
     * The whole state in the state store's snapshot format; the answer's index is the index it was
     * captured at. A {@code default}/{@code consistent} save runs on the leader; {@code stale} on any
     * server.
     */
    public record Save() implements Op.Read<byte[]> {
    }

    /**
     * Replaces the whole state with a saved snapshot, through the log (every server applies it), and
     * answers once this server applied it; the answer's index is the restore's commit index. The
     * snapshot is verified completely before anything is proposed: a corrupt one is a
     * {@code BAD_REQUEST} and changes nothing.
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
}
