package io.tribune.state;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Leader-side bookkeeping for KV tombstone garbage collection, kept out of the replicated state
 * because it is about wall time: the leader tells it which raft index was reached when
 * ({@link #hint}), and asks it which index is old enough to reap ({@link #due}); it then proposes
 * {@link Command.TombstoneReap} with that index. Tombstones must outlive any blocking query that
 * could still need them, so the TTL should exceed the longest wait (10 minutes plus jitter);
 * Consul keeps them 15 minutes.
 *
 * <p>Hints are grouped into buckets of {@code granularity} so memory stays bounded by
 * ttl / granularity entries. Thread-safe; time is passed in, so it is deterministic in tests.
 */
public final class TombstoneGc {
    /** Consul's default tombstone TTL: 15 minutes. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    /** Consul's default bucket granularity: 30 seconds. */
    public static final Duration DEFAULT_GRANULARITY = Duration.ofSeconds(30);

    private final long ttlMillis;
    private final long granularityMillis;
    /** (bucket start millis, highest index hinted in it), oldest first. */
    private final ArrayDeque<long[]> buckets = new ArrayDeque<>();

    /**
     * @param ttl         how long a tombstone lives at least; positive
     * @param granularity bucket width; positive and at most {@code ttl}
     * @throws IllegalArgumentException for other values
     */
    public TombstoneGc(Duration ttl, Duration granularity) {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(granularity, "granularity");
        if (ttl.isNegative() || ttl.isZero() || granularity.isNegative() || granularity.isZero()
                || granularity.compareTo(ttl) > 0) {
            throw new IllegalArgumentException("need 0 < granularity <= ttl, got ttl=" + ttl + ", granularity="
                    + granularity);
        }
        this.ttlMillis = ttl.toMillis();
        this.granularityMillis = granularity.toMillis();
    }

    /** With Consul's defaults. */
    public TombstoneGc() {
        this(DEFAULT_TTL, DEFAULT_GRANULARITY);
    }

    /**
     * Records that the store's index was {@code index} at wall time {@code nowMillis} (call it after
     * writes that delete keys, or periodically with {@link StateStore#lastIndex()}).
     */
    public synchronized void hint(long index, long nowMillis) {
        long bucket = Math.floorDiv(nowMillis, granularityMillis) * granularityMillis;
        long[] last = buckets.peekLast();
        if (last != null && last[0] >= bucket) {
            last[1] = Math.max(last[1], index);
        } else {
            buckets.addLast(new long[] {bucket, index});
        }
    }

    /**
     * The highest hinted index whose bucket ended at least the TTL before {@code nowMillis}, if
     * any; those buckets are forgotten, so each index is returned once.
     */
    public synchronized OptionalLong due(long nowMillis) {
        long upTo = -1;
        while (!buckets.isEmpty() && buckets.peekFirst()[0] + granularityMillis + ttlMillis <= nowMillis) {
            upTo = Math.max(upTo, buckets.pollFirst()[1]);
        }
        return upTo < 0 ? OptionalLong.empty() : OptionalLong.of(upTo);
    }

    /** Number of buckets held (bounded by ttl / granularity + 1 when {@link #due} is called regularly). */
    public synchronized int pendingBuckets() {
        return buckets.size();
    }
}
