package io.tribune.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.testkit.SimScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The agent cache driven on the simulated scheduler against a scripted server that answers
 * blocking queries like a real one (at once when its index is past the requested one, else when
 * it changes or the wait runs out) and can go away.
 */
class AgentCacheTest {
    private static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration REFRESH_WAIT = Duration.ofMinutes(5);
    private final SimScheduler sched = new SimScheduler();
    private final FakeServer server = new FakeServer();

    /** A server whose one answer is {@code body} at {@code index}; blocking queries wait. */
    private final class FakeServer {
        long index = 5;
        String body = "[\"a\"]";
        boolean down;
        int status = 200;
        int calls;
        final List<String> keysAsked = new ArrayList<>();
        final List<CompletableFuture<HttpResponse>> pending = new ArrayList<>();

        CompletableFuture<HttpResponse> fetch(HttpRequest r) {
            calls++;
            keysAsked.add(r.path() + r.query());
            if (down) {
                return CompletableFuture.failedFuture(new HttpError(500, "No known Consul servers"));
            }
            long min = r.param("index").map(Long::parseLong).orElse(0L);
            if (min == 0 || index > min) {
                return CompletableFuture.completedFuture(answer());
            }
            CompletableFuture<HttpResponse> f = new CompletableFuture<>();
            pending.add(f);
            Duration wait = r.param("wait").map(w -> Duration.ofMillis(Long.parseLong(w.replace("ms", ""))))
                    .orElse(REFRESH_WAIT);
            sched.schedule(wait, () -> {
                if (pending.remove(f)) {
                    if (down) {
                        f.completeExceptionally(new HttpError(500, "No known Consul servers"));
                    } else {
                        f.complete(answer());
                    }
                }
            });
            return f;
        }

        HttpResponse answer() {
            return HttpResponse.json(status, body).header("X-Consul-Index", Long.toString(index));
        }

        void set(long newIndex, String newBody) {
            index = newIndex;
            body = newBody;
            List<CompletableFuture<HttpResponse>> p = new ArrayList<>(pending);
            pending.clear();
            p.forEach(f -> f.complete(answer()));
        }

        /** Stops answering: held queries fail as a lost connection would make them. */
        void goAway() {
            down = true;
            List<CompletableFuture<HttpResponse>> p = new ArrayList<>(pending);
            pending.clear();
            p.forEach(f -> f.completeExceptionally(new HttpError(500, "connection lost")));
        }
    }

    private AgentCache cache(int maxEntries) {
        return new AgentCache(sched.clock(), sched, server::fetch, maxEntries, IDLE, REFRESH_WAIT);
    }

    private static HttpRequest get(String path, String... params) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("cached", List.of(""));
        for (int i = 0; i < params.length; i += 2) {
            q.put(params[i], List.of(params[i + 1]));
        }
        return new HttpRequest("GET", path, q, Map.of(), new byte[0], "test");
    }

    private HttpResponse done(CompletableFuture<HttpResponse> f) {
        sched.runDue();
        assertTrue(f.isDone(), "the cached read did not complete");
        return f.join();
    }

    private static String body(HttpResponse r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void firstReadIsAMissAndLaterReadsAreHitsWithoutAskingTheServer() {
        AgentCache c = cache(16);
        HttpResponse first = done(c.get(get("/v1/health/service/web")));
        assertEquals("MISS", first.headers().get("X-Cache"));
        assertEquals("0", first.headers().get("Age"));
        assertEquals("[\"a\"]", body(first));
        assertEquals("5", first.headers().get("X-Consul-Index"));
        assertEquals("application/json", first.headers().get("Content-Type"));
        int calls = server.calls;
        HttpResponse second = done(c.get(get("/v1/health/service/web")));
        assertEquals("HIT", second.headers().get("X-Cache"));
        assertEquals("[\"a\"]", body(second));
        assertEquals(calls, server.calls, "a hit must not reach the server");
        // The cache's own request carries none of the caller's cache or blocking parameters.
        assertFalse(server.keysAsked.get(0).contains("cached"), server.keysAsked.get(0));
    }

    @Test
    void backgroundRefreshPicksUpChangesAndWakesABlockingCachedRead() {
        AgentCache c = cache(16);
        done(c.get(get("/v1/health/service/web")));
        CompletableFuture<HttpResponse> blocked = c.get(get("/v1/health/service/web", "index", "5", "wait", "1m"));
        sched.runDue();
        assertFalse(blocked.isDone(), "a blocking read at the current index must wait");
        server.set(9, "[\"b\"]");
        HttpResponse r = done(blocked);
        assertEquals("HIT", r.headers().get("X-Cache"));
        assertEquals("9", r.headers().get("X-Consul-Index"));
        assertEquals("[\"b\"]", body(r));
        assertEquals("[\"b\"]", body(done(c.get(get("/v1/health/service/web")))));
    }

    @Test
    void blockingCachedReadAnswersTheSameIndexWhenTheWaitRunsOut() {
        AgentCache c = cache(16);
        done(c.get(get("/v1/health/service/web")));
        CompletableFuture<HttpResponse> blocked = c.get(get("/v1/health/service/web", "index", "5", "wait", "10s"));
        sched.runFor(Duration.ofSeconds(5));
        assertFalse(blocked.isDone());
        // Wait plus at most 1/16 jitter.
        sched.runFor(Duration.ofSeconds(6));
        assertTrue(blocked.isDone());
        assertEquals("5", blocked.join().headers().get("X-Consul-Index"));
    }

    @Test
    void whileServersAreAwayTheEntryIsServedWithAGrowingAgeAndRefreshesBackOff() {
        AgentCache c = cache(16);
        done(c.get(get("/v1/health/service/web")));
        server.goAway();
        int before = server.calls;
        sched.runFor(Duration.ofSeconds(40));
        HttpResponse r = done(c.get(get("/v1/health/service/web")));
        assertEquals(200, r.status());
        assertEquals("HIT", r.headers().get("X-Cache"));
        assertEquals("[\"a\"]", body(r));
        assertTrue(Long.parseLong(r.headers().get("Age")) >= 40, "Age " + r.headers().get("Age"));
        // Backoff 1, 2, 4, 8, 16 s: a handful of retries in 40 s, not a hot loop.
        int retries = server.calls - before;
        assertTrue(retries >= 3 && retries <= 7, "retries in 40 s: " + retries);
        // Servers return: the next refresh confirms the entry and Age drops back to 0.
        server.down = false;
        server.set(12, "[\"c\"]");
        sched.runFor(Duration.ofSeconds(31));
        HttpResponse back = done(c.get(get("/v1/health/service/web")));
        assertEquals("[\"c\"]", body(back));
        assertEquals("0", back.headers().get("Age"));
    }

    @Test
    void anErrorAnswerIsPassedThroughAndNotCached() {
        AgentCache c = cache(16);
        server.status = 500;
        server.body = "No cluster leader";
        HttpResponse r = done(c.get(get("/v1/health/service/web")));
        assertEquals(500, r.status());
        assertEquals("MISS", r.headers().get("X-Cache"));
        assertEquals(0L, c.stats().get("entries"));
        server.status = 200;
        server.body = "[\"a\"]";
        HttpResponse again = done(c.get(get("/v1/health/service/web")));
        assertEquals(200, again.status());
        assertEquals("MISS", again.headers().get("X-Cache"));
    }

    @Test
    void aFailedFirstFetchFailsTheRequestAndCachesNothing() {
        AgentCache c = cache(16);
        server.down = true;
        CompletableFuture<HttpResponse> f = c.get(get("/v1/health/service/web"));
        sched.runDue();
        assertTrue(f.isCompletedExceptionally());
        assertEquals(0L, c.stats().get("entries"));
    }

    @Test
    void entriesAreBoundedAndTheLeastRecentlyReadIsEvicted() {
        AgentCache c = cache(2);
        done(c.get(get("/v1/health/service/a")));
        done(c.get(get("/v1/health/service/b")));
        done(c.get(get("/v1/health/service/a")));
        done(c.get(get("/v1/health/service/c")));
        assertEquals(2L, c.stats().get("entries"));
        assertEquals("HIT", done(c.get(get("/v1/health/service/a"))).headers().get("X-Cache"));
        assertEquals("MISS", done(c.get(get("/v1/health/service/b"))).headers().get("X-Cache"));
    }

    @Test
    void anEntryNobodyReadsStopsRefreshingAndIsDropped() {
        AgentCache c = cache(16);
        done(c.get(get("/v1/health/service/web")));
        // Each 5-minute blocking refresh times out unchanged; after the idle timeout the next one drops it.
        sched.runFor(IDLE.plus(REFRESH_WAIT).plus(Duration.ofMinutes(1)));
        assertEquals(0L, c.stats().get("entries"));
        int calls = server.calls;
        sched.runFor(Duration.ofHours(1));
        assertEquals(calls, server.calls, "a dropped entry must not refresh");
    }

    @Test
    void keyKeepsParametersThatShapeTheAnswerAndDropsCacheAndBlockingOnes() {
        String plain = AgentCache.key(get("/v1/health/service/web"));
        assertEquals(plain, AgentCache.key(get("/v1/health/service/web", "index", "7", "wait", "5s")));
        assertNotEquals(plain, AgentCache.key(get("/v1/health/service/web", "passing", "")));
        assertNotEquals(plain, AgentCache.key(get("/v1/health/service/web", "tag", "v1")));
        assertEquals(AgentCache.key(get("/v1/health/service/web", "tag", "v1", "passing", "")),
                AgentCache.key(get("/v1/health/service/web", "passing", "", "tag", "v1")));
    }

    @Test
    void backoffDoublesFromOneSecondUpToThirty() {
        assertEquals(Duration.ofSeconds(1), AgentCache.backoff(1));
        assertEquals(Duration.ofSeconds(2), AgentCache.backoff(2));
        assertEquals(Duration.ofSeconds(16), AgentCache.backoff(5));
        assertEquals(Duration.ofSeconds(30), AgentCache.backoff(6));
        assertEquals(Duration.ofSeconds(30), AgentCache.backoff(1000));
    }

    @Test
    void closeStopsRefreshingAndRefusesReads() {
        AgentCache c = cache(16);
        done(c.get(get("/v1/health/service/web")));
        c.close();
        int calls = server.calls;
        sched.runFor(Duration.ofHours(1));
        assertEquals(calls, server.calls);
        HttpError e = org.junit.jupiter.api.Assertions.assertThrows(HttpError.class,
                () -> c.get(get("/v1/health/service/web")));
        assertEquals(503, e.status());
    }
}
