package io.tribune.agent.api;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.Cancellable;
import io.tribune.api.Clock;
import io.tribune.api.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The agent's result cache for {@code ?cached} reads (Consul's agent cache, cache type
 * "health-services"): a per-agent map from request key (path and the query parameters that shape
 * the answer) to the last good answer, kept current by a background blocking query per entry.
 *
 * <ul>
 *   <li><b>Answers.</b> A request whose key is not cached is fetched at once and answered with
 *       {@code X-Cache: MISS}; later ones are answered from the entry with {@code X-Cache: HIT}
 *       and {@code Age} (seconds since the entry was last confirmed by a server: 0 while the
 *       background refresh works). A request with {@code ?index} blocks on the entry until the
 *       refresh moves its index past it or {@code ?wait} runs out, as a blocking query does.</li>
 *   <li><b>Refresh.</b> Each entry re-issues its request with {@code ?index=<entry index>} and a
 *       long wait; a new answer replaces the entry and wakes blocked requests. A failed refresh
 *       (servers unreachable, no leader, an error status) keeps the entry and retries with backoff
 *       (1 s doubling to 30 s): the entry keeps being served, its {@code Age} growing
 *       (stale-if-error), so a client agent keeps answering while its servers are away.</li>
 *   <li><b>Bounds.</b> At most {@code maxEntries} entries, least recently read evicted first; an
 *       entry not read for {@code idleTimeout} stops refreshing and is dropped. Error answers are
 *       never cached.</li>
 * </ul>
 *
 * <p>Thread-safe; never blocks: fetches complete on whatever thread the fetch function uses, and
 * refreshes and timeouts run on the scheduler.
 */
final class AgentCache implements AutoCloseable {
    /** Header naming whether the answer came from the cache. */
    static final String X_CACHE = "X-Cache";
    /** Parameters that do not change the answer's content, left out of the key. */
    private static final Set<String> NOT_IN_KEY = Set.of("cached", "index", "wait");
    /** First retry delay after a failed refresh. */
    static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    /** Longest retry delay after repeated failures. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Clock clock;
    private final Scheduler scheduler;
    private final Function<HttpRequest, CompletableFuture<HttpResponse>> fetch;
    private final int maxEntries;
    private final Duration idleTimeout;
    private final Duration refreshWait;
    /** Access-ordered: the eldest is the least recently read. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long hits;
    private long misses;
    private long refreshFailures;
    private boolean closed;

    /**
     * @param fetch       serves a request without the cache (e.g. the forwarded route); a
     *                    non-200 answer or a failed future is an error
     * @param maxEntries  most cached keys
     * @param idleTimeout how long an entry lives without being read
     * @param refreshWait the {@code ?wait} of background blocking queries
     */
    AgentCache(Clock clock, Scheduler scheduler, Function<HttpRequest, CompletableFuture<HttpResponse>> fetch,
               int maxEntries, Duration idleTimeout, Duration refreshWait) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        this.clock = clock;
        this.scheduler = scheduler;
        this.fetch = fetch;
        this.maxEntries = maxEntries;
        this.idleTimeout = idleTimeout;
        this.refreshWait = refreshWait;
    }

    /** One cached answer and its refresh state; guarded by the cache's lock. */
    private final class Entry {
        final String key;
        final HttpRequest base;
        /** Completed with the first answer (or failure) of the fetch that created the entry. */
        final CompletableFuture<Void> first = new CompletableFuture<>();
        HttpResponse response;
        long index;
        long confirmedNanos;
        long lastReadNanos;
        boolean healthy;
        int failures;
        boolean removed;
        /** Completed (and replaced) whenever the answer changes. */
        CompletableFuture<Void> changed = new CompletableFuture<>();
        Cancellable timer;

        Entry(String key, HttpRequest base) {
            this.key = key;
            this.base = base;
        }
    }

    /** Serves a {@code ?cached} GET; a first fetch that fails answers as the uncached request would. */
    CompletableFuture<HttpResponse> get(HttpRequest req) {
        return lookup(req).handle((r, t) -> t == null ? r : unwrapPassThrough(t));
    }

    private CompletableFuture<HttpResponse> lookup(HttpRequest req) {
        ApiSupport.method(req, "GET");
        long minIndex = req.longParam("index").orElse(0L);
        Duration wait = minIndex > 0 ? KvApi.Reads.wait(req) : Duration.ZERO;
        String key = key(req);
        Entry e;
        boolean miss = false;
        List<Entry> evicted = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                throw new HttpError(503, "agent is shutting down");
            }
            e = entries.get(key);
            if (e == null) {
                miss = true;
                misses++;
                e = new Entry(key, baseRequest(req));
                entries.put(key, e);
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
            e.lastReadNanos = clock.nanos();
        }
        evicted.forEach(this::cancelTimer);
        Entry entry = e;
        if (miss) {
            fetchFirst(entry);
            return entry.first.thenApply(x -> answer(entry, "MISS"));
        }
        return entry.first.thenCompose(x -> {
            CompletableFuture<Void> woken;
            synchronized (this) {
                if (minIndex == 0 || entry.index > minIndex) {
                    return CompletableFuture.completedFuture(answer(entry, "HIT"));
                }
                woken = entry.changed.copy();
            }
            Cancellable t = scheduler.schedule(wait, () -> woken.complete(null));
            return woken.thenApply(y -> {
                t.cancel();
                return answer(entry, "HIT");
            });
        });
    }

    /** A failed first fetch: its own error answer (with {@code X-Cache: MISS}) or the failure. */
    static HttpResponse unwrapPassThrough(Throwable t) {
        Throwable c = t;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof PassThrough p) {
            return p.response.header(X_CACHE, "MISS");
        }
        throw c instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(c);
    }

    private void fetchFirst(Entry e) {
        call(e.base).whenComplete((r, t) -> {
            if (t == null && r.status() == 200) {
                synchronized (this) {
                    store(e, r);
                    e.healthy = true;
                }
                e.first.complete(null);
                scheduleRefresh(e, Duration.ZERO);
                return;
            }
            synchronized (this) {
                // Errors are not cached: the next request tries again.
                if (entries.get(e.key) == e) {
                    entries.remove(e.key);
                }
                e.removed = true;
            }
            if (t != null) {
                e.first.completeExceptionally(t);
            } else {
                e.first.completeExceptionally(new PassThrough(r));
            }
        });
    }

    /** Carries a non-200 answer of the first fetch out to the requester unchanged. */
    static final class PassThrough extends HttpError {
        final HttpResponse response;

        PassThrough(HttpResponse response) {
            super(response.status(), new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            this.response = response;
        }
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
            index = e.index;
        }
        Map<String, List<String>> q = new LinkedHashMap<>(e.base.query());
        q.put("index", List.of(Long.toString(index)));
        q.put("wait", List.of(refreshWait.toMillis() + "ms"));
        HttpRequest r = new HttpRequest("GET", e.base.path(), q, e.base.headers(), new byte[0], e.base.remote());
        call(r).whenComplete((resp, t) -> {
            if (t == null && resp.status() == 200) {
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
    private void store(Entry e, HttpResponse r) {
        long idx = indexOf(r);
        boolean changed = e.response == null || idx != e.index
                || !java.util.Arrays.equals(e.response.body(), r.body());
        e.response = r;
        e.index = idx;
        e.confirmedNanos = clock.nanos();
        if (changed) {
            CompletableFuture<Void> c = e.changed;
            e.changed = new CompletableFuture<>();
            scheduler.execute(() -> c.complete(null));
        }
    }

    private static long indexOf(HttpResponse r) {
        String v = r.headers().get("X-Consul-Index");
        if (v == null) {
            return 0;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException ex) {
            return 0;
        }
    }

    private HttpResponse answer(Entry e, String how) {
        HttpResponse src;
        long age;
        synchronized (this) {
            src = e.response;
            age = e.healthy ? 0 : Math.max(0, (clock.nanos() - e.confirmedNanos) / 1_000_000_000L);
        }
        HttpResponse out = HttpResponse.bytes(src.status(), null, src.body());
        src.headers().forEach(out::header);
        out.header(X_CACHE, how);
        out.header("Age", Long.toString(age));
        return out;
    }

    private CompletableFuture<HttpResponse> call(HttpRequest r) {
        try {
            return fetch.apply(r);
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

    /** The cache key: the path and the sorted parameters that shape the answer. */
    static String key(HttpRequest req) {
        TreeMap<String, List<String>> q = new TreeMap<>();
        req.query().forEach((k, v) -> {
            if (!NOT_IN_KEY.contains(k)) {
                q.put(k, v);
            }
        });
        return req.path() + "?" + q;
    }

    private static HttpRequest baseRequest(HttpRequest req) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        req.query().forEach((k, v) -> {
            if (!NOT_IN_KEY.contains(k)) {
                q.put(k, v);
            }
        });
        return new HttpRequest("GET", req.path(), q, Map.of(), new byte[0], req.remote());
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
