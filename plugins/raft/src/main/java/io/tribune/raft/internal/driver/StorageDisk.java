package io.tribune.raft.internal.driver;

import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.storage.Storage;
import io.tribune.raft.internal.core.Ready;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 *
 * <p><b>Group commit of background appends.</b> A leader hands out one append per ready cycle, and
 * under load it runs many cycles while one fsync is under way. Those appends wait in order in a
 * queue, and the I/O thread takes every append waiting at the head together (up to
 * {@link #MAX_MERGED_ENTRIES} entries or {@link #MAX_MERGED_BYTES} payload bytes, and never across a
 * compaction) as one {@link io.tribune.api.storage.LogStore#append}, so they cost one fsync, not
 * one each; their futures complete together, in order, once that append is durable. Nothing
 * completes before its own entries are durable, so the core still counts the leader toward a
 * commit only for entries on its disk.
 *
 * <p>Threading: {@link #write} on the loop's thread; the background methods from any thread (the
 * loop's); the queue is guarded by this object's monitor.
 */
final class StorageDisk implements ReadyLoop.Disk {
    static final String TERM_KEY = "raft.term";
    static final String VOTE_KEY = "raft.vote";

    /** Most entries merged into one background append: bounds one write and the memory it holds. */
    static final int MAX_MERGED_ENTRIES = 4096;
    /** Most payload bytes merged into one background append (a single larger batch still goes alone). */
    static final long MAX_MERGED_BYTES = 8L << 20;

    /** A background write: entries to append, or (entries null) a compaction through {@code through}. */
    private record Job(List<LogEntry> entries, long through, CompletableFuture<Void> done) {
    }

    private final Storage storage;
    private final Executor io;
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    private boolean draining;

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
        return enqueue(new Job(entries, 0, new CompletableFuture<>()));
    }

    @Override
    public CompletableFuture<Void> compactInBackground(long throughIndex) {
        return enqueue(new Job(null, throughIndex, new CompletableFuture<>()));
    }

    /** Queues {@code job} behind every earlier one and makes sure a drain runs on the I/O executor. */
    private CompletableFuture<Void> enqueue(Job job) {
        synchronized (this) {
            queue.add(job);
            if (draining) {
                return job.done();
            }
            draining = true;
        }
        try {
            io.execute(this::drain);
        } catch (RejectedExecutionException e) {
            List<Job> dropped;
            synchronized (this) {
                dropped = new ArrayList<>(queue);
                queue.clear();
                draining = false;
            }
            for (Job j : dropped) {
                j.done().completeExceptionally(new ConsensusException("raft is closed"));
            }
        }
        return job.done();
    }

    /** I/O thread: runs the queued writes in order, merging the appends at the head, until the queue is empty. */
    private void drain() {
        while (true) {
            List<Job> group = new ArrayList<>();
            synchronized (this) {
                Job first = queue.poll();
                if (first == null) {
                    draining = false;
                    return;
                }
                group.add(first);
                if (first.entries() != null) {
                    int count = first.entries().size();
                    long bytes = payloadBytes(first.entries());
                    while (!queue.isEmpty() && queue.peek().entries() != null) {
                        List<LogEntry> next = queue.peek().entries();
                        long nextBytes = payloadBytes(next);
                        if (count + next.size() > MAX_MERGED_ENTRIES || bytes + nextBytes > MAX_MERGED_BYTES) {
                            break;
                        }
                        group.add(queue.poll());
                        count += next.size();
                        bytes += nextBytes;
                    }
                }
            }
            Throwable failure = null;
            try {
                Job first = group.get(0);
                if (first.entries() == null) {
                    storage.log().truncatePrefix(first.through());
                } else if (group.size() == 1) {
                    storage.log().append(first.entries());
                } else {
                    List<LogEntry> merged = new ArrayList<>();
                    for (Job j : group) {
                        merged.addAll(j.entries());
                    }
                    storage.log().append(merged);
                }
            } catch (Throwable t) {
                failure = t;
            }
            for (Job j : group) {
                if (failure == null) {
                    j.done().complete(null);
                } else {
                    // The loop stops on the first failure it drains; the later ones fail with it.
                    j.done().completeExceptionally(failure);
                }
            }
        }
    }

    private static long payloadBytes(List<LogEntry> entries) {
        long n = 0;
        for (LogEntry e : entries) {
            n += e.data().length;
        }
        return n;
    }
}
