package io.tribune.state.bench;

import io.tribune.state.Command;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH benchmarks of the state store's hot paths. Run with
 * {@code mvn -pl modules/state -Pbench test} (see {@link StateStoreBenchmarkTest}).
 */
public class StateStoreBenchmark {

    private static final int KEYS = 10_000;

    /** A store preloaded with {@value #KEYS} keys and pre-encoded put commands. */
    @State(Scope.Thread)
    public static class Puts {
        StateStore store;
        byte[][] commands;
        long index;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            store = new StateStore(Runnable::run);
            commands = new byte[KEYS][];
            byte[] value = new byte[100];
            for (int i = 0; i < KEYS; i++) {
                commands[i] = new Command.KvSet("service/web/config/" + i, value, 0, OptionalLong.empty()).encode();
            }
            for (int i = 0; i < KEYS; i++) {
                store.apply(++index, 1, commands[i]);
            }
        }
    }

    /** Apply rate of a 100-byte KV put over a 10,000-key store (decode, validate, apply, encode result). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public byte[] kvPutApply(Puts s) {
        int i = s.next;
        s.next = i + 1 == KEYS ? 0 : i + 1;
        return s.store.apply(++s.index, 1, s.commands[i]);
    }

    /**
     * A store with 10,000 keys and, when {@code waiters} is 10000, one blocking-query waiter per
     * key. Each invocation writes one key, which wakes exactly its waiter, then registers a new
     * waiter on that key so the population stays at 10,000.
     */
    @State(Scope.Thread)
    public static class Waiters {
        @Param({"0", "10000"})
        public int waiters;
        StateStore store;
        byte[][] commands;
        String[] keys;
        long index;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            store = new StateStore(Runnable::run);
            commands = new byte[KEYS][];
            keys = new String[KEYS];
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "locks/worker-" + i;
                commands[i] = new Command.KvSet(keys[i], new byte[16], 0, OptionalLong.empty()).encode();
                store.apply(++index, 1, commands[i]);
            }
            for (int i = 0; i < waiters; i++) {
                store.watch(WatchTarget.kvKey(keys[i]), index);
            }
        }
    }

    /** Cost of one put that wakes 1 of {@code waiters} waiters on distinct keys (and re-arms it). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object wakeOneWaiter(Waiters s) {
        int i = s.next;
        s.next = i + 1 == KEYS ? 0 : i + 1;
        byte[] r = s.store.apply(++s.index, 1, s.commands[i]);
        if (s.waiters > 0) {
            CompletableFuture<Long> f = s.store.watch(WatchTarget.kvKey(s.keys[i]), s.index);
            return f;
        }
        return r;
    }

    /** A shared store for the read/write group: one thread applies puts while another reads. */
    @State(Scope.Group)
    public static class Shared {
        StateStore store;
        byte[][] commands;
        String[] keys;
        volatile long index;
        int next;
        int nextRead;

        @Setup(Level.Trial)
        public void setUp() {
            store = new StateStore(Runnable::run);
            commands = new byte[KEYS][];
            keys = new String[KEYS];
            for (int i = 0; i < KEYS; i++) {
                keys[i] = "config/" + i;
                commands[i] = new Command.KvSet(keys[i], new byte[100], 0, OptionalLong.empty()).encode();
                store.apply(++index, 1, commands[i]);
            }
        }
    }

    /** The writer of the read/write group: puts as fast as it can. */
    @Benchmark
    @Group("readWhileApplying")
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public byte[] writer(Shared s) {
        int i = s.next;
        s.next = i + 1 == KEYS ? 0 : i + 1;
        long idx = s.index + 1;
        s.index = idx;
        return s.store.apply(idx, 1, s.commands[i]);
    }

    /** The reader of the read/write group: lock-free point reads racing the writer. */
    @Benchmark
    @Group("readWhileApplying")
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object reader(Shared s) {
        int i = s.nextRead;
        s.nextRead = i + 1 == KEYS ? 0 : i + 1;
        return s.store.kvGet(s.keys[i]);
    }
}
