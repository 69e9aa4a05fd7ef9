package io.tribune.transport.grpc.internal;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Sizing of the pooled buffer allocator gRPC-Java builds on Netty, chosen for a transport's thread
 * count instead of the machine's core count.
 *
 * <p>Why: gRPC's allocator is a Netty {@code PooledByteBufAllocator} with Netty's default number of
 * arenas, {@code 2 x cores} for direct and for heap buffers, and with 2 MiB chunks (gRPC forces
 * {@code maxOrder=8} when the property is unset). Each arena a thread touches keeps at least one chunk
 * for the life of the process, so an agent whose transport has two I/O threads kept 8-10 MiB of
 * direct memory on a 2-core machine (NMT "Other") and would keep more on a larger one, for Raft
 * traffic that never needs more than a few hundred KiB at once. The threads that allocate are the
 * transport's I/O threads (framing, reads) and its executor (serialising messages); thread-local
 * caches in front of the arenas keep their lock rarely taken, so one arena per two I/O threads
 * costs no measurable throughput (bench/memory.sh prints the write rate with and without).
 *
 * <p>The values are JVM-wide system properties that Netty reads once, when its allocator class
 * initialises; they are set only where absent, so a value given with {@code -D} (or by an embedding
 * application) always wins, and only the first transport created before Netty's allocator loads has
 * an effect. Allocations larger than a chunk are not pooled (allocated and freed at once), which
 * for Raft's rare large snapshot chunks is what we want.
 */
public final class NettyAllocatorSizing {
    /** Netty's property: number of direct-buffer arenas. */
    public static final String DIRECT_ARENAS = "io.netty.allocator.numDirectArenas";
    /** Netty's property: number of heap-buffer arenas. */
    public static final String HEAP_ARENAS = "io.netty.allocator.numHeapArenas";
    /** Netty's property: chunk size as {@code pageSize << maxOrder} (8 KiB pages). */
    public static final String MAX_ORDER = "io.netty.allocator.maxOrder";
    /** 8 KiB pages {@code << 7} = 1 MiB chunks: larger than any Raft batch of the default limits. */
    static final int MAX_ORDER_VALUE = 7;

    private NettyAllocatorSizing() {
    }

    /**
     * Arenas for a transport with {@code eventLoopThreads} I/O threads: one per two threads, rounded
     * up (the default of 2 threads gives 1).
     *
     * @throws IllegalArgumentException when {@code eventLoopThreads} is below 1
     */
    public static int arenas(int eventLoopThreads) {
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("event-loop threads must be at least 1, got " + eventLoopThreads);
        }
        return (eventLoopThreads + 1) / 2;
    }

    /** The properties and values for a transport with {@code eventLoopThreads} I/O threads, by name. */
    public static Map<String, String> properties(int eventLoopThreads) {
        String arenas = Integer.toString(arenas(eventLoopThreads));
        Map<String, String> m = new TreeMap<>();
        m.put(DIRECT_ARENAS, arenas);
        m.put(HEAP_ARENAS, arenas);
        m.put(MAX_ORDER, Integer.toString(MAX_ORDER_VALUE));
        return m;
    }

    /**
     * Sets each of {@link #properties} in {@code target} where it has no value (atomically per key,
     * so concurrent callers and a user's own value are never overwritten).
     *
     * @return the properties this call set, by name (empty when all had values)
     * @throws IllegalArgumentException when {@code eventLoopThreads} is below 1; nothing is set then
     */
    public static Map<String, String> applyIfAbsent(Properties target, int eventLoopThreads) {
        Map<String, String> wanted = properties(eventLoopThreads);
        Map<String, String> set = new TreeMap<>();
        for (Map.Entry<String, String> e : wanted.entrySet()) {
            if (target.putIfAbsent(e.getKey(), e.getValue()) == null) {
                set.put(e.getKey(), e.getValue());
            }
        }
        return set;
    }
}
