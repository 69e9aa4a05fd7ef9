package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.testkit.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /** A server whose one answer is {@code value} at {@code index}; blocking queries wait. */
    private final class FakeServer {
        long index = 5;
        List<String> value = List.of("a");
        boolean down;
        boolean failing;
        int calls;
        final List<Envelope> asked = new ArrayList<>();
        final List<CompletableFuture<Response<?>>> pending = new ArrayList<>();

        CompletableFuture<Response<?>> fetch(Envelope e) {
            calls++;
            asked.add(e);
            if (down) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_SERVERS,
                        "No known Consul servers"));
            }
            if (failing) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_LEADER,
                        "No cluster leader"));
            }
            long min = e.options().minIndex();
            if (min == 0 || index > min) {
                return CompletableFuture.completedFuture(answer());
            }
            CompletableFuture<Response<?>> f = new CompletableFuture<>();
            pending.add(f);
            sched.schedule(e.options().requestedWait(), () -> {
                if (pending.remove(f)) {
                    if (down) {
                        f.completeExceptionally(new AgentException(AgentException.Kind.NO_SERVERS, "gone"));
                    } else {
                        f.complete(answer());
                    }
                }
            });
            return f;
        }

        Response<?> answer() {
            return new Response<>(value, new Response.Meta(index, true, Duration.ZERO, ReadConsistency.DEFAULT,
                    false, Duration.ZERO));
        }

        void set(long newIndex, List<String> newValue) {
            index = newIndex;
            value = newValue;
            List<CompletableFuture<Response<?>>> p = new ArrayList<>(pending);
            pending.clear();
            p.forEach(f -> f.complete(answer()));
        }

        /** Stops answering: held queries fail as a lost connection would make them. */
        void goAway() {
            down = true;
            List<CompletableFuture<Response<?>>> p = new ArrayList<>(pending);
            pending.clear();
            p.forEach(f -> f.completeExceptionally(new AgentException(AgentException.Kind.UNAVAILABLE,
                    "connection lost")));
        }
    }

    private AgentCache cache(int maxEntries) {
        return new AgentCache(sched.clock(), sched, server::fetch, maxEntries, IDLE, REFRESH_WAIT);
    }

    private static Envelope read(String service, Options o) {
        Op<?> op = new Health.ServiceNodes(service, List.of(), false, Map.of());
        return new Envelope(op, o.withCached(true), Optional.empty(), "me", Envelope.Hop.NONE);
    }

    private static Envelope read(String service) {
        return read(service, Options.DEFAULT);
    }

    private Response<?> done(CompletableFuture<Response<?>> f) {
        sched.runDue();
        assertTrue(f.isDone(), "the cached read did not complete");
        return f.join();
    }

    @Test
    void firstReadIsAMissAndLaterReadsAreHitsWithoutAskingTheServer() {
        AgentCache c = cache(16);
        Response<?> first = done(c.get(read("web")));
        assertFalse(first.meta().cacheHit());
        assertEquals(List.of("a"), first.value());
        assertEquals(5, first.meta().index());
        int calls = server.calls;
        Response<?> second = done(c.get(read("web")));
        assertTrue(second.meta().cacheHit());
        assertEquals(Duration.ZERO, second.meta().cacheAge());
        assertEquals(List.of("a"), second.value());
        assertEquals(calls, server.calls, "a hit must not reach the server");
        // The cache's own reads carry none of the caller's cache or blocking options.
        assertFalse(server.asked.get(0).options().cached());
        assertEquals(0, server.asked.get(0).options().minIndex());
    }

    @Test
    void backgroundRefreshPicksUpChangesAndWakesABlockingCachedRead() {
        AgentCache c = cache(16);
        done(c.get(read("web")));
        CompletableFuture<Response<?>> blocked = c.get(read("web", Options.DEFAULT.blocking(5, Duration.ofMinutes(1))));
        sched.runDue();
        assertFalse(blocked.isDone(), "a blocking read at the current index must wait");
        server.set(9, List.of("b"));
        Response<?> r = done(blocked);
        assertTrue(r.meta().cacheHit());
        assertEquals(9, r.meta().index());
        assertEquals(List.of("b"), r.value());
        assertEquals(List.of("b"), done(c.get(read("web"))).value());
    }

    @Test
    void blockingCachedReadAnswersTheSameIndexWhenTheWaitRunsOut() {
        AgentCache c = cache(16);
        done(c.get(read("web")));
        CompletableFuture<Response<?>> blocked = c.get(read("web", Options.DEFAULT.blocking(5, Duration.ofSeconds(10))));
        sched.runFor(Duration.ofSeconds(5));
        assertFalse(blocked.isDone());
        sched.runFor(Duration.ofSeconds(6));
        assertTrue(blocked.isDone());
        assertEquals(5, blocked.join().meta().index());
    }

    @Test
    void whileServersAreAwayTheEntryIsServedWithAGrowingAgeAndRefreshesBackOff() {
        AgentCache c = cache(16);
        done(c.get(read("web")));
        server.goAway();
        int before = server.calls;
        sched.runFor(Duration.ofSeconds(40));
        Response<?> r = done(c.get(read("web")));
        assertTrue(r.meta().cacheHit());
        assertEquals(List.of("a"), r.value());
        assertTrue(r.meta().cacheAge().toSeconds() >= 40, "Age " + r.meta().cacheAge());
        // Backoff 1, 2, 4, 8, 16 s: a handful of retries in 40 s, not a hot loop.
        int retries = server.calls - before;
        assertTrue(retries >= 3 && retries <= 7, "retries in 40 s: " + retries);
        // Servers return: the next refresh confirms the entry and its age drops back to 0.
        server.down = false;
        server.set(12, List.of("c"));
        sched.runFor(Duration.ofSeconds(31));
        Response<?> back = done(c.get(read("web")));
        assertEquals(List.of("c"), back.value());
        assertEquals(Duration.ZERO, back.meta().cacheAge());
    }

    @Test
    void aFailedFirstFetchFailsTheReadAndCachesNothing() {
        AgentCache c = cache(16);
        server.failing = true;
        CompletableFuture<Response<?>> f = c.get(read("web"));
        sched.runDue();
        assertTrue(f.isCompletedExceptionally());
        assertEquals(0L, c.stats().get("entries"));
        server.failing = false;
        Response<?> again = done(c.get(read("web")));
        assertFalse(again.meta().cacheHit(), "the failure was cached");
    }

    @Test
    void entriesAreBoundedAndTheLeastRecentlyReadIsEvicted() {
        AgentCache c = cache(2);
        done(c.get(read("a")));
        done(c.get(read("b")));
        done(c.get(read("a")));
        done(c.get(read("c")));
        assertEquals(2L, c.stats().get("entries"));
        assertTrue(done(c.get(read("a"))).meta().cacheHit());
        assertFalse(done(c.get(read("b"))).meta().cacheHit());
    }

    @Test
    void anEntryNobodyReadsStopsRefreshingAndIsDropped() {
        AgentCache c = cache(16);
        done(c.get(read("web")));
        // Each 5-minute blocking refresh times out unchanged; after the idle timeout the next one drops it.
        sched.runFor(IDLE.plus(REFRESH_WAIT).plus(Duration.ofMinutes(1)));
        assertEquals(0L, c.stats().get("entries"));
        int calls = server.calls;
        sched.runFor(Duration.ofHours(1));
        assertEquals(calls, server.calls, "a dropped entry must not refresh");
    }

    @Test
    void theKeyIsTheOperationAndTheOptionsThatShapeTheAnswerNotBlockingOrCaching() {
        AgentCache.Key plain = AgentCache.Key.of(read("web"));
        assertEquals(plain, AgentCache.Key.of(read("web", Options.DEFAULT.blocking(7, Duration.ofSeconds(5)))));
        assertNotEquals(plain, AgentCache.Key.of(read("web", Options.of(ReadConsistency.STALE))));
        assertNotEquals(plain, AgentCache.Key.of(read("other")));
        assertNotEquals(plain, AgentCache.Key.of(new Envelope(new Health.ServiceNodes("web", List.of("v1"), false,
                Map.of()), Options.DEFAULT, Optional.empty(), "me", Envelope.Hop.NONE)));
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
        done(c.get(read("web")));
        c.close();
        int calls = server.calls;
        sched.runFor(Duration.ofHours(1));
        assertEquals(calls, server.calls);
        CompletableFuture<Response<?>> f = c.get(read("web"));
        assertTrue(f.isCompletedExceptionally());
        assertEquals(AgentException.Kind.UNAVAILABLE, AgentException.of(f.handle((x, t) -> t).join()).kind());
    }
}
