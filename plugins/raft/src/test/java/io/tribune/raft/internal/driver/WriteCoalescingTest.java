package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.raft.internal.core.Message;
import io.tribune.raft.internal.core.RaftCore;
import io.tribune.raft.internal.core.RaftOptions;
import io.tribune.raft.internal.core.Ready;
import io.tribune.storage.memory.InMemoryStorageFactory;
import io.tribune.testkit.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Group commit where writes queue behind a running fsync: a follower steps every message batch that
 * arrived during its last cycle before it writes (one fsync for all of them), and the leader's
 * background appends handed out while the I/O thread is busy go to storage as one append. Both run
 * here on hand-driven executors, so what is queued behind what is exact.
 */
class WriteCoalescingTest {

    private static final List<ServerInfo> SERVERS = List.of(
            new ServerInfo("l", new Endpoint("127.0.46.1", 1), true),
            new ServerInfo("f", new Endpoint("127.0.46.2", 1), true),
            new ServerInfo("g", new Endpoint("127.0.46.3", 1), true));

    /** An executor whose tasks run only when the test says so, in order. */
    static final class HandExecutor implements java.util.concurrent.Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        boolean rejecting;

        @Override
        public void execute(Runnable r) {
            if (rejecting) {
                throw new RejectedExecutionException("closed");
            }
            tasks.add(r);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    private static LogEntry entry(long index, long term) {
        return new LogEntry(index, term, EntryKind.COMMAND, ("c" + index).getBytes(StandardCharsets.UTF_8));
    }

    private static Message.AppendEntries append(long prev, long... indexes) {
        List<LogEntry> es = new ArrayList<>();
        for (long i : indexes) {
            es.add(entry(i, 2));
        }
        return new Message.AppendEntries("l", "f", 2, prev, prev == 0 ? 0 : 2, es, 0, prev + 1);
    }

    /** A follower ready loop over a disk and network that record what they are given. */
    private static final class Follower {
        final HandExecutor loopThread = new HandExecutor();
        final List<Ready> writes = new ArrayList<>();
        final List<List<Message>> sent = new ArrayList<>();
        final ReadyLoop loop;

        Follower() {
            RaftCore core = new RaftCore("f", RaftOptions.defaults(), new SplittableRandom(7),
                    new RaftCore.InitialState(1, null, 0, 0, SERVERS, 0, 0, List.of()));
            ReadyLoop.Disk disk = new ReadyLoop.Disk() {
                @Override
                public CompletableFuture<Void> write(Ready ready) {
                    writes.add(ready);
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> appendInBackground(List<LogEntry> entries) {
                    throw new AssertionError("a follower writes synchronously");
                }

                @Override
                public CompletableFuture<Void> compactInBackground(long throughIndex) {
                    return CompletableFuture.completedFuture(null);
                }
            };
            ReadyLoop.Machine machine = new ReadyLoop.Machine() {
                @Override
                public byte[] apply(LogEntry entry) {
                    return new byte[0];
                }

                @Override
                public void restore(Message.InstallSnapshot snapshot) {
                }

                @Override
                public CompletableFuture<Void> save(long index, long term, List<ServerInfo> configuration) {
                    return null;
                }

                @Override
                public boolean snapshotBusy() {
                    return true;
                }
            };
            ReadyLoop.Network network = new ReadyLoop.Network() {
                @Override
                public void send(List<Message> messages) {
                    sent.add(List.copyOf(messages));
                }

                @Override
                public void learn(List<ServerInfo> servers) {
                }

                @Override
                public Endpoint endpointOf(String serverId) {
                    return null;
                }
            };
            loop = new ReadyLoop("f", core, 0, 0, disk, machine, network, new VirtualClock(), loopThread,
                    new ReadyLoop.Settings(1_000_000L, 1 << 20, 0, true), System.getLogger("test"),
                    (before, now) -> { });
            loop.begin();
            loopThread.runAll();
            writes.clear();
            sent.clear();
        }

        /** As the driver hands a received batch over: a task on the loop's executor. */
        void deliver(Message m) {
            loopThread.execute(() -> loop.step(List.of(m)));
        }

        int writesWithEntries() {
            return (int) writes.stream().filter(r -> !r.entries().isEmpty()).count();
        }

        List<Message.AppendEntriesResponse> answers() {
            List<Message.AppendEntriesResponse> out = new ArrayList<>();
            for (List<Message> batch : sent) {
                for (Message m : batch) {
                    if (m instanceof Message.AppendEntriesResponse r) {
                        out.add(r);
                    }
                }
            }
            return out;
        }
    }

    @Test
    void appendsThatArriveDuringOneCycleAreWrittenWithOneFsync() {
        Follower f = new Follower();
        // Three batches reach the loop's queue while it is busy (in production: during a fsync).
        f.deliver(append(0, 1, 2));
        f.deliver(append(2, 3));
        f.deliver(append(3, 4, 5));
        f.loopThread.runAll();

        assertEquals(1, f.writesWithEntries(), "one write (one fsync) for the three batches");
        Ready w = f.writes.get(0);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), w.entries().stream().map(LogEntry::index).toList());
        assertEquals(2, w.hardState().term(), "the leader's term goes in the same write");
        List<Message.AppendEntriesResponse> answers = f.answers();
        assertEquals(3, answers.size(), "each batch is answered");
        assertTrue(answers.stream().allMatch(Message.AppendEntriesResponse::success));
        assertEquals(5, answers.stream().mapToLong(Message.AppendEntriesResponse::index).max().orElseThrow());
        // The answers leave together, after the write they acknowledge.
        assertEquals(1, f.sent.size());
    }

    @Test
    void aBatchThatArrivesAloneIsWrittenAndAnsweredAtOnce() {
        Follower f = new Follower();
        f.deliver(append(0, 1));
        f.loopThread.runAll();
        assertEquals(1, f.writesWithEntries());
        assertEquals(1, f.answers().size());
        assertEquals(1, f.answers().get(0).index());

        // The next one, after the first cycle is done, gets its own write: nothing waits for company.
        f.deliver(append(1, 2));
        f.loopThread.runAll();
        assertEquals(2, f.writesWithEntries());
        assertEquals(2, f.answers().get(1).index());
    }

    @Test
    void nothingIsAnsweredBeforeItsWrite() {
        Follower f = new Follower();
        f.deliver(append(0, 1));
        f.deliver(append(1, 2));
        // Run only the two steps: the cycle that writes is still queued, and nothing has been sent.
        f.loopThread.tasks.poll().run();
        f.loopThread.tasks.poll().run();
        assertTrue(f.writes.isEmpty());
        assertTrue(f.sent.isEmpty(), "no acknowledgement before the entries are durable");
        f.loopThread.runAll();
        assertEquals(1, f.writesWithEntries());
        assertEquals(2, f.answers().size());
    }

    // ------------------------------------------------------------------ the leader's background appends

    private static StorageDiskFixture disk() {
        return new StorageDiskFixture();
    }

    private static final class StorageDiskFixture {
        final HandExecutor io = new HandExecutor();
        final RaftGroupCommitTest.CountingStorage storage =
                new RaftGroupCommitTest.CountingStorage(InMemoryStorageFactory.newStorage());
        final StorageDisk disk = new StorageDisk(storage, io);
    }

    private static List<LogEntry> entries(long from, long to) {
        List<LogEntry> es = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            es.add(entry(i, 2));
        }
        return es;
    }

    @Test
    void backgroundAppendsQueuedTogetherShareOneStorageAppend() {
        StorageDiskFixture d = disk();
        CompletableFuture<Void> a = d.disk.appendInBackground(entries(1, 2));
        CompletableFuture<Void> b = d.disk.appendInBackground(entries(3, 3));
        CompletableFuture<Void> c = d.disk.appendInBackground(entries(4, 6));
        assertEquals(1, d.io.tasks.size(), "one drain is scheduled, however many appends wait");
        assertFalse(a.isDone() || b.isDone() || c.isDone(), "nothing completes before it is written");

        d.io.runAll();
        assertEquals(1, d.storage.appends, "three appends, one fsync");
        assertEquals(6, d.storage.appendedEntries);
        assertEquals(6, d.storage.log().lastIndex());
        assertTrue(a.isDone() && b.isDone() && c.isDone());
        assertFalse(a.isCompletedExceptionally() || b.isCompletedExceptionally() || c.isCompletedExceptionally());

        // Once the queue is empty the next append schedules a drain of its own.
        CompletableFuture<Void> later = d.disk.appendInBackground(entries(7, 7));
        assertEquals(1, d.io.tasks.size());
        d.io.runAll();
        assertTrue(later.isDone());
        assertEquals(2, d.storage.appends);
    }

    @Test
    void aCompactionIsNeverMergedAcrossAndKeepsItsPlace() {
        StorageDiskFixture d = disk();
        d.disk.appendInBackground(entries(1, 4));
        CompletableFuture<Void> cut = d.disk.compactInBackground(2);
        CompletableFuture<Void> after = d.disk.appendInBackground(entries(5, 5));
        d.io.runAll();
        assertTrue(cut.isDone() && after.isDone());
        assertEquals(2, d.storage.appends, "the appends on either side of the compaction are written apart");
        assertEquals(3, d.storage.log().firstIndex());
        assertEquals(5, d.storage.log().lastIndex());
    }

    @Test
    void mergingStopsAtTheEntryBound() {
        StorageDiskFixture d = disk();
        int half = StorageDisk.MAX_MERGED_ENTRIES / 2 + 1;
        d.disk.appendInBackground(entries(1, half));
        d.disk.appendInBackground(entries(half + 1, 2L * half));
        d.io.runAll();
        assertEquals(2, d.storage.appends, "two batches that together exceed the bound are written apart");
        assertEquals(2L * half, d.storage.log().lastIndex());
    }

    @Test
    void aFailedMergedAppendFailsEveryWriteInIt() {
        StorageDiskFixture d = disk();
        CompletableFuture<Void> a = d.disk.appendInBackground(entries(1, 1));
        // A gap: the store refuses the merged batch as a whole and writes nothing.
        CompletableFuture<Void> b = d.disk.appendInBackground(entries(3, 3));
        d.io.runAll();
        assertTrue(a.isCompletedExceptionally() && b.isCompletedExceptionally());
        CompletionException e = assertThrows(CompletionException.class, a::join);
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals(0, d.storage.log().lastIndex(), "nothing was written");
    }

    @Test
    void aClosedIoExecutorFailsTheWritesNamingTheReason() {
        StorageDiskFixture d = disk();
        d.io.rejecting = true;
        CompletableFuture<Void> a = d.disk.appendInBackground(entries(1, 1));
        CompletionException e = assertThrows(CompletionException.class, a::join);
        assertInstanceOf(ConsensusException.class, e.getCause());
        assertEquals("raft is closed", e.getCause().getMessage());
        // Nothing stays queued: a later write is refused the same way, not parked forever.
        CompletableFuture<Void> b = d.disk.appendInBackground(entries(1, 1));
        assertTrue(b.isCompletedExceptionally());
        assertSame(0, d.storage.appends);
    }
}
