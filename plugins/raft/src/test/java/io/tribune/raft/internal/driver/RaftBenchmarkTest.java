package io.tribune.raft.internal.driver;

import io.tribune.api.PluginConfig;
import io.tribune.api.consensus.Applied;
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
 *       storage-rocksdb, with 1 and 64 concurrent proposers;</li>
 *   <li>leader crash to first commit under a new leader: virtual time over simulation seeds, and
 *       wall time on the real driver, median and p99, with the default timing (50 ms ticks).</li>
 * </ul>
 */
@EnabledIfSystemProperty(named = "tribune.bench", matches = "true")
class RaftBenchmarkTest {
    private static final Duration T = Duration.ofSeconds(10);
    private final List<Path> dirs = new ArrayList<>();

    @Test
    void commitsPerSecond() throws Exception {
        for (String store : List.of("storage-memory", "storage-rocksdb")) {
            for (int proposers : new int[] {1, 64}) {
                double rate = measure(store, proposers, 3_000);
                System.out.printf("bench raft commits/s store=%s proposers=%d: %.0f%n", store, proposers, rate);
            }
        }
        for (Path d : dirs) {
            deleteTree(d);
        }
    }

    private double measure(String store, int proposers, long millis) throws Exception {
        RealScheduler rocksThreads = new RealScheduler("bench-rocks");
        java.util.function.Supplier<Storage> storages = store.equals("storage-memory")
                ? io.tribune.storage.memory.InMemoryStorageFactory::newStorage
                : () -> {
                    try {
                        Path dir = Files.createTempDirectory("raft-bench-");
                        dirs.add(dir);
                        return new RocksStorageFactory().create(PluginConfig.empty(), TestContext.builder("bench")
                                .clock(rocksThreads).scheduler(rocksThreads).dataDir(dir).build());
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
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            CompletableFuture<Void> all = new CompletableFuture<>();
            for (int p = 0; p < proposers; p++) {
                chain(leader, cmd, end, done, running, all);
            }
            long start = System.nanoTime();
            all.get(millis + 20_000, TimeUnit.MILLISECONDS);
            return done.get() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static void chain(InProcCluster.Node leader, byte[] cmd, long end, AtomicLong done, AtomicInteger running,
                              CompletableFuture<Void> all) {
        if (System.nanoTime() > end) {
            if (running.decrementAndGet() == 0) {
                all.complete(null);
            }
            return;
        }
        CompletableFuture<Applied> f = leader.consensus.apply(cmd, T);
        f.whenComplete((a, t) -> {
            if (t == null) {
                done.incrementAndGet();
            }
            chain(leader, cmd, end, done, running, all);
        });
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
