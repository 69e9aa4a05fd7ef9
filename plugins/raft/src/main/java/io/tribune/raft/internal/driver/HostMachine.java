package io.tribune.raft.internal.driver;

import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.consensus.StateMachine;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.SnapshotMeta;
import io.tribune.api.storage.SnapshotStore;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.raft.internal.core.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * The ready loop's {@link ReadyLoop.Machine} over the host's {@link StateMachine} and the
 * snapshot store. Snapshots are captured on the loop's thread (the host's capture is cheap) and
 * written out on the snapshot executor, because writing tens of megabytes on the loop's thread
 * would stall every read and write for as long. The store takes one writer at a time: a local
 * snapshot and one received from the leader share {@code writer}.
 */
final class HostMachine implements ReadyLoop.Machine {
    private final StateMachine stateMachine;
    private final SnapshotStore snapshots;
    private final Executor snapshotWrites;
    private final Semaphore writer;

    HostMachine(StateMachine stateMachine, SnapshotStore snapshots, Executor snapshotWrites, Semaphore writer) {
        this.stateMachine = stateMachine;
        this.snapshots = snapshots;
        this.snapshotWrites = snapshotWrites;
        this.writer = writer;
    }

    @Override
    public byte[] apply(LogEntry e) {
        if (e.kind() != EntryKind.COMMAND) {
            return null;
        }
        return stateMachine.apply(e.index(), e.term(), e.data());
    }

    @Override
    public void restore(Message.InstallSnapshot s) {
        SnapshotMeta meta = snapshots.latest().orElseThrow(() ->
                new ConsensusException("installed snapshot is missing from the store"));
        if (meta.index() != s.index()) {
            throw new ConsensusException("stored snapshot is at " + meta.index() + ", expected " + s.index());
        }
        restore(meta);
    }

    /** Replaces the host's state with the stored snapshot {@code meta}. */
    void restore(SnapshotMeta meta) {
        SnapshotStore.Reader reader = snapshots.open(meta.id()).orElseThrow(() ->
                new ConsensusException("snapshot " + meta.id() + " vanished while opening it"));
        try (reader; InputStream in = reader.stream()) {
            stateMachine.restore(meta.index(), meta.term(), in);
        } catch (IOException e) {
            throw new ConsensusException("restoring snapshot " + meta.id() + " at index " + meta.index() + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public CompletableFuture<Void> save(long index, long term, List<ServerInfo> configuration) {
        if (!writer.tryAcquire()) {
            return null;
        }
        StateMachine.StateSnapshot snap;
        byte[] config;
        try {
            config = ServerConfigurations.encode(configuration);
            snap = stateMachine.snapshot();
        } catch (RuntimeException e) {
            writer.release();
            throw e;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable writeOut = () -> {
            Exception failure = null;
            try (SnapshotStore.Writer w = snapshots.create(index, term, config)) {
                snap.writeTo(w.stream());
                w.commit();
            } catch (IOException | RuntimeException e) {
                failure = e;
            } finally {
                snap.release();
                writer.release();
            }
            // After the release: whoever waits for this snapshot may start the next one at once.
            if (failure == null) {
                done.complete(null);
            } else {
                done.completeExceptionally(failure);
            }
        };
        try {
            snapshotWrites.execute(writeOut);
        } catch (RejectedExecutionException e) {
            snap.release();
            writer.release();
            done.completeExceptionally(new ConsensusException("raft is closed"));
        }
        return done;
    }

    @Override
    public boolean snapshotBusy() {
        return writer.availablePermits() == 0;
    }
}
