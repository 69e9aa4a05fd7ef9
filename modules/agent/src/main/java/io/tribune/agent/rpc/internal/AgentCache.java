package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import io.tribune.api.consensus.ReadConsistency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The agent's result cache for cached reads (Consul's agent cache and {@code ?cached}): a per-agent
 * map from a read (operation and the options that shape its answer) to the last good answer, kept
 * current by a background blocking query per entry.
 *
 * <ul>
 *   <li><b>Answers.</b> A read that is not cached is fetched at once (a miss); later ones are answered
 *       from the entry (a hit, with its age: the time since a server last confirmed it, zero while
 *       the background refresh works). A blocking read ({@link Options#minIndex()}) waits on the entry
 *       until the refresh moves its index past it or its wait runs out, as a blocking query does.</li>
 *   <li><b>Refresh.</b> Each entry re-issues its read as a blocking query on the entry's index with a
 *       long wait; a new answer replaces the entry and wakes blocked readers. A failed refresh
 *       (servers unreachable, no leader) keeps the entry and retries with backoff (1 s doubling to
 *       30 s): the entry keeps being served, its age growing (stale-if-error), so a client agent keeps
 *       answering while its servers are away.</li>
 *   <li><b>Bounds.</b> At most {@code maxEntries} entries, least recently read evicted first; an entry
 *       not read for {@code idleTimeout} stops refreshing and is dropped. Failures are never cached:
 *       a failed first fetch fails its reader and leaves no entry.</li>
 * </ul>
 *
 * <p>Thread-safe; never blocks: fetches complete on whatever thread the fetch function uses, and
 * refreshes and timeouts run on the scheduler.
 */
final class AgentCache implements AutoCloseable {
    /** First retry delay after a failed refresh. */
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    /** Longest retry delay after repeated failures. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** What identifies an answer: the operation and the options that shape it. */
    record Key(Op<?> op, String datacenter, String token, ReadConsistency consistency, Duration maxStale) {
        static Key of(Envelope e) {
            Options o = e.options();
            return new Key(e.op(), o.datacenter(), o.token(), o.consistency(), o.maxStale());
        }
    }

    private final Clock clock;
    private final Scheduler scheduler;
    private final Function<Envelope, CompletableFuture<Response<?>>> fetch;
    private final int maxEntries;
    private final Duration idleTimeout;
    private final Duration refreshWait;
    /** Access-ordered: the eldest is the least recently read. */
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long hits;
    private long misses;
    private long refreshFailures;
    private boolean closed;

    /**
     * @param fetch       serves a read without the cache; a failed future is an error
     * @param maxEntries  most cached reads
     * @param idleTimeout how long an entry lives without being read
     * @param refreshWait the wait of background blocking queries
     */
    AgentCache(Clock clock, Scheduler scheduler, Function<Envelope, CompletableFuture<Response<?>>> fetch,
               int maxEntries, Duration idleTimeout, Duration refreshWait) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.fetch = Objects.requireNonNull(fetch, "fetch");
        this.maxEntries = maxEntries;
        this.idleTimeout = idleTimeout;
        this.refreshWait = refreshWait;
    }

    /** One cached answer and its refresh state; guarded by the cache's lock. */
    private final class Entry {
        final Key key;
        /** The read without blocking or caching, as the refresh re-issues it. */
        final Envelope base;
        /** Completed with the first answer (or failure) of the fetch that created the entry. */
        final CompletableFuture<Void> first = new CompletableFuture<>();
        Response<?> response;
        long confirmedNanos;
        long lastReadNanos;
        boolean healthy;
        int failures;
        boolean removed;
        /** Completed (and replaced) whenever the answer changes. */
        CompletableFuture<Void> changed = new CompletableFuture<>();
        Cancellable timer;

        Entry(Key key, Envelope base) {
            this.key = key;
            this.base = base;
        }

        long index() {
            return response == null ? 0 : response.meta().index();
        }
    }

    /** Serves a cached read: the first answer of a new entry is a miss, every later one a hit. */
    CompletableFuture<Response<?>> get(Envelope e) {
        Options o = e.options();
        long minIndex = o.minIndex();
        Key key = Key.of(e);
        Entry entry;
        boolean miss = false;
        List<Entry> evicted = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.UNAVAILABLE,
                        "agent is shutting down"));
            }
            Entry found = entries.get(key);
            if (found == null) {
                miss = true;
                misses++;
                found = new Entry(key, e.with(o.blocking(0, Duration.ZERO).withCached(false)));
                entries.put(key, found);
                Iterator<Entry> it = entries.values().iterator();
                while (entries.size() > maxEntries && it.hasNext()) {
                    Entry old = it.next();
                    it.remove();
                    old.removed = true;
                    evicted.add(old);
                }
            } else {
                hits++;
            }
            found.lastReadNanos = clock.nanos();
            entry = found;
        }
        evicted.forEach(this::cancelTimer);
        if (miss) {
            fetchFirst(entry);
            return entry.first.thenApply(x -> answer(entry, false));
        }
        return entry.first.thenCompose(x -> {
            CompletableFuture<Void> woken;
            synchronized (this) {
                if (minIndex == 0 || entry.index() > minIndex) {
                    return CompletableFuture.completedFuture(answer(entry, true));
                }
                woken = entry.changed.copy();
            }
            Cancellable t = scheduler.schedule(o.requestedWait(), () -> woken.complete(null));
            return woken.thenApply(y -> {
                t.cancel();
                return answer(entry, true);
            });
        });
    }

    private void fetchFirst(Entry e) {
        call(e.base).whenComplete((r, t) -> {
            if (t == null) {
                synchronized (this) {
                    store(e, r);
                    e.healthy = true;
                }
                e.first.complete(null);
                scheduleRefresh(e, Duration.ZERO);
                return;
            }
            synchronized (this) {
                // Failures are not cached: the next read tries again.
                if (entries.get(e.key) == e) {
                    entries.remove(e.key);
                }
                e.removed = true;
            }
            e.first.completeExceptionally(t);
        });
    }

    private void scheduleRefresh(Entry e, Duration delay) {
        synchronized (this) {
            if (e.removed || closed) {
                return;
            }
            e.timer = scheduler.schedule(delay, () -> refresh(e));
        }
    }

    private void refresh(Entry e) {
        long index;
        synchronized (this) {
            if (e.removed || closed) {
                return;
            }
            if (clock.nanos() - e.lastReadNanos > idleTimeout.toNanos()) {
                entries.remove(e.key, e);
                e.removed = true;
                return;
            }
            index = e.index();
        }
        Envelope blocking = e.base.with(e.base.options().blocking(index, refreshWait));
        call(blocking).whenComplete((resp, t) -> {
            if (t == null) {
                synchronized (this) {
                    store(e, resp);
                    e.healthy = true;
                    e.failures = 0;
                }
                scheduleRefresh(e, Duration.ZERO);
            } else {
                Duration backoff;
                synchronized (this) {
                    e.healthy = false;
                    e.failures++;
                    refreshFailures++;
                    backoff = backoff(e.failures);
                }
                scheduleRefresh(e, backoff);
            }
        });
    }

    /** Retry delay after {@code failures} consecutive failed refreshes: 1 s doubling, at most 30 s. */
    static Duration backoff(int failures) {
        long ms = MIN_BACKOFF.toMillis() << Math.min(Math.max(failures - 1, 0), 20);
        return Duration.ofMillis(Math.min(ms, MAX_BACKOFF.toMillis()));
    }

    /** Records a good answer; wakes blocked readers when it changed. Caller holds the lock. */
    private void store(Entry e, Response<?> r) {
        boolean changed = e.response == null || r.meta().index() != e.index()
                || !Objects.equals(e.response.value(), r.value());
        e.response = r;
        e.confirmedNanos = clock.nanos();
        if (changed) {
            CompletableFuture<Void> c = e.changed;
            e.changed = new CompletableFuture<>();
            scheduler.execute(() -> c.complete(null));
        }
    }

    private Response<?> answer(Entry e, boolean hit) {
        Response<?> src;
        long ageNanos;
        synchronized (this) {
            src = e.response;
            ageNanos = e.healthy ? 0 : Math.max(0, clock.nanos() - e.confirmedNanos);
        }
        Response.Meta m = src.meta();
        Response.Meta out = hit ? m.asCacheHit(Duration.ofNanos(ageNanos))
                : new Response.Meta(m.index(), m.knownLeader(), m.lastContact(), m.servedAs(), false, Duration.ZERO);
        return new Response<>(src.value(), out);
    }

    private CompletableFuture<Response<?>> call(Envelope e) {
        try {
            return fetch.apply(e);
        } catch (RuntimeException ex) {
            return CompletableFuture.failedFuture(ex);
        }
    }

    private void cancelTimer(Entry e) {
        Cancellable t;
        synchronized (this) {
            t = e.timer;
        }
        if (t != null) {
            t.cancel();
        }
    }

    /** Hit, miss and failed-refresh counters and the number of entries. */
    synchronized Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("entries", (long) entries.size());
        m.put("hits", hits);
        m.put("misses", misses);
        m.put("refresh_failures", refreshFailures);
        return m;
    }

    /** Stops every refresh and drops the entries. Idempotent. */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(entries.values());
            entries.clear();
            all.forEach(x -> x.removed = true);
        }
        all.forEach(this::cancelTimer);
    }
}
