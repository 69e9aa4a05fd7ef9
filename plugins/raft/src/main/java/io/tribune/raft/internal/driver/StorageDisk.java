package io.tribune.raft.internal.driver;

import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.Storage;
import io.tribune.raft.internal.core.Ready;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The ready loop's {@link ReadyLoop.Disk} over the storage SPI. Synchronous writes run on the
 * loop's thread and complete before {@link #write} returns; background writes (a leader's appends,
 * compactions) run one at a time, in order, on the I/O executor, as the log store takes one writer
 * at a time.
 */
final class StorageDisk implements ReadyLoop.Disk {
    static final String TERM_KEY = "raft.term";
    static final String VOTE_KEY = "raft.vote";

    private final Storage storage;
    private final Executor io;

    StorageDisk(Storage storage, Executor io) {
        this.storage = storage;
        this.io = io;
    }

    @Override
    public CompletableFuture<Void> write(Ready r) {
        try {
            if (r.snapshot() != null) {
                // The snapshot itself was stored while it was received; the log before it goes.
                storage.log().reset();
            }
            if (r.hardState() != null) {
                Map<String, byte[]> hs = new LinkedHashMap<>();
                hs.put(TERM_KEY, ByteBuffer.allocate(8).putLong(r.hardState().term()).array());
                hs.put(VOTE_KEY, r.hardState().vote() == null ? new byte[0]
                        : r.hardState().vote().getBytes(StandardCharsets.UTF_8));
                storage.stable().put(hs);
            }
            if (r.truncateFrom() > 0) {
                storage.log().truncateSuffix(r.truncateFrom());
            }
            if (!r.entries().isEmpty()) {
                storage.log().append(r.entries());
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<Void> appendInBackground(List<LogEntry> entries) {
        return onIo(() -> storage.log().append(entries));
    }

    @Override
    public CompletableFuture<Void> compactInBackground(long throughIndex) {
        return onIo(() -> storage.log().truncatePrefix(throughIndex));
    }

    private CompletableFuture<Void> onIo(Runnable write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            io.execute(() -> {
                try {
                    write.run();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new ConsensusException("raft is closed"));
        }
        return done;
    }
}
