package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.storage.Storage;
import io.tribune.raft.internal.sim.FailoverSimulation;
import io.tribune.storage.rocksdb.RocksStorageFactory;
import io.tribune.tck.consensus.RecordingStateMachine;
import io.tribune.testkit.RealScheduler;
import io.tribune.testkit.TestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in figures ({@code -Dtribune.bench=true}); prints numbers, asserts nothing about speed.
 *
 * <ul>
 *   <li>commits/s of an in-process 3-server cluster (transport-inproc) on storage-memory and on
 *       storage-rocksdb, with 1, 16 and 64 concurrent proposers, with the p50/p99 of one commit and
 *       (rocksdb) the log appends, each one fsync, per 100 commits on the leader and on each
 *       follower: the group commit's figure, which the machine's load changes much less than the
 *       rates, and the process CPU time per commit ({@code -Dtribune.bench.store=storage-rocksdb -Dtribune.bench.proposers=16} to run
 *       one case);</li>
 *   <li>the stale-read window in the simulation: virtual time from the leader's apply of an
 *       entry to each follower's apply of it, under light to heavy client load;</li>
 *   <li>leader crash to first commit under a new leader: virtual time over simulation seeds, and
 *       wall time on the real driver, median and p99, with the default timing (50 ms ticks);</li>
 *   <li>read barriers per second on the leader and through a follower (read index, thesis §6.4),
 *       DEFAULT and CONSISTENT, 64 concurrent readers, on an idle cluster and while 16
 *       proposers write, with p50/p99 latency.</li>
 * </ul>
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class RaftBenchmarkTest {
    private static final Duration T = Duration.ofSeconds(10);
    private final List<Path> dirs = new ArrayList<>();

    @Test
    void commitsPerSecond() throws Exception {
        String onlyStore = System.getProperty("tribune.bench.store");
        Integer onlyProposers = Integer.getInteger("tribune.bench.proposers");
        for (String store : List.of("storage-memory", "storage-rocksdb")) {
            for (int proposers : new int[] {1, 16, 64}) {
                if ((onlyStore != null && !onlyStore.equals(store)) || (onlyProposers != null && onlyProposers != proposers)) {
                    continue;
                }
                measure(store, proposers, 3_000);
            }
        }
        for (Path d : dirs) {
            deleteTree(d);
        }
    }

    private void measure(String store, int proposers, long millis) throws Exception {
        RealScheduler rocksThreads = new RealScheduler("bench-rocks");
        // Storages in creation order (the cluster creates one per server, in the order of its ids).
        List<CountingAppends> made = Collections.synchronizedList(new ArrayList<>());
        java.util.function.Supplier<Storage> storages = store.equals("storage-memory")
                ? io.tribune.storage.memory.InMemoryStorageFactory::newStorage
                : () -> {
                    try {
                        Path dir = Files.createTempDirectory("raft-bench-");
                        dirs.add(dir);
                        CountingAppends s = new CountingAppends(new RocksStorageFactory().create(PluginConfig.empty(),
                                TestContext.builder("bench").clock(rocksThreads).scheduler(rocksThreads).dataDir(dir).build()));
                        made.add(s);
                        return s;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
        try (rocksThreads; InProcCluster c = new InProcCluster(PluginConfig.of(Map.of("raft.leave.transfer", "false")),
                storages).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(10_000);
            byte[] cmd = RecordingStateMachine.command("x".repeat(100));
            AtomicLong done = new AtomicLong();
            AtomicInteger running = new AtomicInteger(proposers);
            java.util.concurrent.ConcurrentLinkedQueue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
            long[] appendsBefore = made.stream().mapToLong(s -> s.appends.get()).toArray();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            CompletableFuture<Void> all = new CompletableFuture<>();
            for (int p = 0; p < proposers; p++) {
                chain(leader, cmd, end, done, running, all, latencies);
            }
            long start = System.nanoTime();
            long cpu0 = processCpuNanos();
            all.get(millis + 20_000, TimeUnit.MILLISECONDS);
            double rate = done.get() / ((System.nanoTime() - start) / 1e9);
            long cpu = processCpuNanos() - cpu0;
            List<Long> sorted = new ArrayList<>(latencies);
            StringBuilder fsyncs = new StringBuilder();
            for (InProcCluster.Node node : c.nodes.values()) {
                int i = made.indexOf(node.storage);
                if (i < 0) {
                    continue;
                }
                long n = made.get(i).appends.get() - appendsBefore[i];
                fsyncs.append(String.format(" %s=%.1f", node == leader ? "leader" : "follower",
                        done.get() == 0 ? 0.0 : 100.0 * n / done.get()));
            }
            System.out.printf("bench raft commits/s store=%s proposers=%d: %.0f (p50 %.2f ms, p99 %.2f ms;"
                    + " process CPU %.1f us per commit)%s%n", store,
                    proposers, rate, pct(sorted, 50) / 1e6, pct(sorted, 99) / 1e6,
                    cpu0 < 0 || done.get() == 0 ? -1.0 : cpu / 1e3 / done.get(),
                    fsyncs.length() == 0 ? "" : "; log appends (fsyncs) per 100 commits:" + fsyncs);
        }
    }

    /**
     * CPU time of this process (every thread: the three servers and the proposers) in nanoseconds,
     * or -1 where the platform does not report it. Less disturbed by other load than rates.
     */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** A storage that counts log appends (one fsync each on storage-rocksdb). */
    private static final class CountingAppends implements Storage {
        final java.util.concurrent.atomic.AtomicLong appends = new java.util.concurrent.atomic.AtomicLong();
        private final Storage d;
        private final io.tribune.api.storage.LogStore log;

        CountingAppends(Storage d) {
            this.d = d;
            io.tribune.api.storage.LogStore l = d.log();
            this.log = new io.tribune.api.storage.LogStore() {
                @Override
                public long firstIndex() {
                    return l.firstIndex();
                }

                @Override
                public long lastIndex() {
                    return l.lastIndex();
                }

                @Override
                public java.util.Optional<io.tribune.api.storage.LogEntry> get(long index) {
                    return l.get(index);
                }

                @Override
                public List<io.tribune.api.storage.LogEntry> range(long fromIndex, long toIndex, long maxBytes) {
                    return l.range(fromIndex, toIndex, maxBytes);
                }

                @Override
                public void append(List<io.tribune.api.storage.LogEntry> entries) {
                    appends.incrementAndGet();
                    l.append(entries);
                }

                @Override
                public void truncateSuffix(long fromIndex) {
                    l.truncateSuffix(fromIndex);
                }

                @Override
                public void truncatePrefix(long toIndex) {
                    l.truncatePrefix(toIndex);
                }

                @Override
                public void reset() {
                    l.reset();
                }
            };
        }

        @Override
        public io.tribune.api.storage.LogStore log() {
            return log;
        }

        @Override
        public io.tribune.api.storage.StableStore stable() {
            return d.stable();
        }

        @Override
        public io.tribune.api.storage.SnapshotStore snapshots() {
            return d.snapshots();
        }

        @Override
        public void close() {
            d.close();
        }
    }

    @Test
    void readsPerSecondOnTheLeaderAndThroughAFollower() throws Exception {
        try (InProcCluster c = new InProcCluster(PluginConfig.of(Map.of("raft.leave.transfer", "false"))).start(3)) {
            InProcCluster.Node leader = c.awaitLeader(10_000);
            InProcCluster.Node follower = c.nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
            Applied w = leader.consensus.apply(RecordingStateMachine.command("warm"), T).get(10, TimeUnit.SECONDS);
            InProcCluster.await(5_000, () -> follower.sm.lastIndex() >= w.index());
            for (int writers : new int[] {0, 16}) {
                for (ReadConsistency mode : List.of(ReadConsistency.DEFAULT, ReadConsistency.CONSISTENT)) {
                    for (InProcCluster.Node via : List.of(leader, follower)) {
                        readRate(leader, via, via == leader ? "leader" : "follower", mode, 64, writers, 3_000);
                    }
                }
            }
        }
    }

    /** Runs {@code readers} chains of read barriers on {@code via} (and {@code writers} chains of writes on the leader). */
    private void readRate(InProcCluster.Node leader, InProcCluster.Node via, String role, ReadConsistency mode,
                          int readers, int writers, long millis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        AtomicLong reads = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        java.util.concurrent.ConcurrentLinkedQueue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
        AtomicInteger running = new AtomicInteger(readers);
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicLong written = new AtomicLong();
        AtomicInteger writing = new AtomicInteger(writers);
        CompletableFuture<Void> writesDone = writers == 0 ? CompletableFuture.completedFuture(null) : new CompletableFuture<>();
        byte[] cmd = RecordingStateMachine.command("x".repeat(100));
        for (int p = 0; p < writers; p++) {
            chain(leader, cmd, end, written, writing, writesDone);
        }
        long start = System.nanoTime();
        for (int r = 0; r < readers; r++) {
            readChain(via, mode, end, reads, refused, latencies, running, all);
        }
        all.get(millis + 20_000, TimeUnit.MILLISECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        writesDone.get(millis + 20_000, TimeUnit.MILLISECONDS);
        List<Long> sorted = new ArrayList<>(latencies);
        System.out.printf("bench raft reads/s mode=%s via=%s readers=%d writers=%d: %.0f (p50 %.2f ms, p99 %.2f ms,"
                        + " refused %d) beside %.0f commits/s%n", mode, role, readers, writers, reads.get() / seconds,
                pct(sorted, 50) / 1e6, pct(sorted, 99) / 1e6, refused.get(), written.get() / seconds);
    }

    private static void readChain(InProcCluster.Node via, ReadConsistency mode, long end, AtomicLong reads,
                                  AtomicLong refused, java.util.Queue<Long> latencies, AtomicInteger running,
                                  CompletableFuture<Void> all) {
        long t0 = System.nanoTime();
        if (t0 > end) {
            if (running.decrementAndGet() == 0) {
                all.complete(null);
            }
            return;
        }
        via.consensus.readBarrier(mode, T).whenComplete((index, t) -> {
            if (t == null) {
                reads.incrementAndGet();
                latencies.add(System.nanoTime() - t0);
            } else {
                refused.incrementAndGet();
            }
            // A fast path completes on this thread: go on elsewhere rather than recurse without bound.
            ForkJoinPool.commonPool().execute(() -> readChain(via, mode, end, reads, refused, latencies, running, all));
        });
    }

    private static void chain(InProcCluster.Node leader, byte[] cmd, long end, AtomicLong done, AtomicInteger running,
                              CompletableFuture<Void> all) {
        chain(leader, cmd, end, done, running, all, null);
    }

    private static void chain(InProcCluster.Node leader, byte[] cmd, long end, AtomicLong done, AtomicInteger running,
                              CompletableFuture<Void> all, java.util.Queue<Long> latencies) {
        long t0 = System.nanoTime();
        if (t0 > end) {
            if (running.decrementAndGet() == 0) {
                all.complete(null);
            }
            return;
        }
        CompletableFuture<Applied> f = leader.consensus.apply(cmd, T);
        f.whenComplete((a, t) -> {
            if (t == null) {
                done.incrementAndGet();
                if (latencies != null) {
                    latencies.add(System.nanoTime() - t0);
                }
            }
            chain(leader, cmd, end, done, running, all, latencies);
        });
    }

    @Test
    void staleReadWindowInSimulation() {
        int seeds = Integer.getInteger("tribune.bench.seeds", 20);
        for (int gap : new int[] {20, 5, 1}) {
            List<Long> lags = new ArrayList<>();
            for (long s = 1; s <= seeds; s++) {
                lags.addAll(FailoverSimulation.applyLagNanos(s, gap, 5_000));
            }
            Collections.sort(lags);
            System.out.printf("bench raft stale window (simulation, 3 servers, messages 0.1-1 ms, fsync 0.05-1 ms,"
                    + " client op every 1-%d ms) over %d seeds: leader apply to follower apply of %d entries:"
                    + " virtual p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", 2 * gap, seeds, lags.size(),
                    pct(lags, 50) / 1e6, pct(lags, 90) / 1e6, pct(lags, 99) / 1e6, lags.get(lags.size() - 1) / 1e6);
        }
    }

    @Test
    void leaderCrashToFirstCommit() throws Exception {
        int seeds = Integer.getInteger("tribune.bench.seeds", 200);
        List<Long> virtual = new ArrayList<>();
        long wall0 = System.nanoTime();
        for (long s = 1; s <= seeds; s++) {
            long v = FailoverSimulation.failoverNanos(s);
            if (v >= 0) {
                virtual.add(v);
            }
        }
        long simWall = System.nanoTime() - wall0;
        System.out.printf("bench raft failover (simulation, 3 servers, 50 ms tick, election 10-20 ticks) over %d seeds:"
                + " virtual median=%d ms p99=%d ms (missed=%d); simulating took %d ms wall%n", seeds,
                pct(virtual, 50) / 1_000_000, pct(virtual, 99) / 1_000_000, seeds - virtual.size(), simWall / 1_000_000);
        int runs = Integer.getInteger("tribune.bench.runs", 20);
        List<Long> wall = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            try (InProcCluster c = new InProcCluster(PluginConfig.of(Map.of("raft.leave.transfer", "false")))
                    .seed(i + 1).start(3)) {
                InProcCluster.Node leader = c.awaitLeader(10_000);
                leader.consensus.apply(RecordingStateMachine.command("warm"), T).get(10, TimeUnit.SECONDS);
                long term = leader.consensus.leadership().term();
                long t0 = System.nanoTime();
                leader.consensus.close();
                long committed = -1;
                while (System.nanoTime() - t0 < 10_000_000_000L && committed < 0) {
                    for (InProcCluster.Node n : c.nodes.values()) {
                        if (n != leader && n.consensus.isLeader() && n.consensus.leadership().term() > term) {
                            try {
                                n.consensus.apply(RecordingStateMachine.command("after"), T).get(10, TimeUnit.SECONDS);
                                committed = System.nanoTime() - t0;
                            } catch (Exception e) {
                                // lost leadership again: keep looking
                            }
                        }
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
                if (committed >= 0) {
                    wall.add(committed);
                }
            }
        }
        System.out.printf("bench raft failover (real driver, transport-inproc, default timing) over %d runs:"
                + " wall median=%d ms p99=%d ms%n", runs, pct(wall, 50) / 1_000_000, pct(wall, 99) / 1_000_000);
    }

    private static long pct(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
