package io.tribune.client.recipes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.client.DevAgentFixture;
import io.tribune.client.TribuneClient;
import io.tribune.client.TribuneException;
import io.tribune.client.WatchHandle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The recipes against a real in-process dev agent through its gRPC port: mutual exclusion and
 * hand-over of a lock (on release and on session invalidation), election hand-over seen by an
 * observer, a semaphore of limit 2 with 3 contenders in Consul's layout, and session keep-alive.
 *
 * <p>Sessions are made with lock-delay 0 so hand-overs need no waiting; waits are on conditions with
 * generous bounds, never on fixed sleeps.
 */
@Timeout(120)
class RecipesTest {
    /** Bound for something that must happen; generous for a loaded machine. */
    static final Duration ARRIVES = Duration.ofSeconds(20);

    static DevAgentFixture dev;
    static TribuneClient client;
    static ExecutorService threads;
    static ScheduledExecutorService scheduler;
    static RecipeOptions fast;

    @BeforeAll
    static void start() {
        dev = new DevAgentFixture("recipes", 18491);
        client = dev.client();
        threads = Executors.newCachedThreadPool();
        scheduler = Executors.newSingleThreadScheduledExecutor();
        fast = RecipeOptions.defaults().withLockDelay(Duration.ZERO).withSessionTtl(Duration.ofSeconds(10))
                .withRetryInterval(Duration.ofMillis(200)).withScheduler(scheduler);
    }

    @AfterAll
    static void stop() {
        if (threads != null) {
            threads.shutdownNow();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + ARRIVES.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + ARRIVES + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Runs {@code acquire} on another thread. */
    static CompletableFuture<Boolean> inBackground(java.util.concurrent.Callable<Boolean> acquire) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return acquire.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, threads);
    }

    static String holder(String key) {
        return client.kv().get(key).map(KvEntry::getSession).orElse("");
    }

    @Test
    void twoContendersAreMutuallyExclusiveAndTheLockPassesOnRelease() throws Exception {
        String key = "recipes/lock-release";
        try (Lock a = new Lock(client, key, b("a"), fast); Lock bLock = new Lock(client, key, b("b"), fast)) {
            assertTrue(a.acquire(ARRIVES));
            String aSession = a.session().orElseThrow();
            assertEquals(aSession, holder(key));
            assertEquals(Lock.FLAGS, client.kv().get(key).orElseThrow().getFlags(), "Consul's lock flag");
            assertFalse(bLock.acquire(Duration.ofMillis(300)), "b cannot take a held lock");
            assertFalse(bLock.isHeld());

            CompletableFuture<Boolean> b = inBackground(() -> bLock.acquire(ARRIVES));
            // While a holds the lock, b waits (a still holds it after b started).
            assertTrue(a.isHeld());
            assertEquals(aSession, holder(key));
            assertFalse(b.isDone() && b.join(), "b got the lock while a held it");

            assertTrue(a.release());
            assertFalse(a.isHeld());
            assertTrue(b.get(ARRIVES.toSeconds(), TimeUnit.SECONDS), "b takes the released lock");
            assertEquals(bLock.session().orElseThrow(), holder(key));
            assertEquals("b", client.kv().get(key).orElseThrow().getValue().toStringUtf8());
            assertTrue(client.sessions().info(aSession).isEmpty(), "the session made for a's hold is destroyed");
            assertThrows(IllegalStateException.class, () -> bLock.acquire(Duration.ZERO), "already held");
        }
        assertEquals("", holder(key), "close released the lock");
    }

    @Test
    void invalidatingTheHoldersSessionTellsItAndHandsTheLockOver() throws Exception {
        String key = "recipes/lock-invalidated";
        BlockingQueue<String> lostA = new LinkedBlockingQueue<>();
        try (Lock a = new Lock(client, key, b("a"), fast.withOnLost(lostA::add));
             Lock bLock = new Lock(client, key, b("b"), fast)) {
            assertTrue(a.acquire(ARRIVES));
            String aSession = a.session().orElseThrow();
            CompletableFuture<Boolean> b = inBackground(() -> bLock.acquire(ARRIVES));

            assertTrue(client.sessions().destroy(aSession));
            String reason = lostA.poll(ARRIVES.toSeconds(), TimeUnit.SECONDS);
            assertTrue(reason != null && reason.contains(key), "a is told it lost the lock: " + reason);
            assertFalse(a.isHeld());
            assertTrue(b.get(ARRIVES.toSeconds(), TimeUnit.SECONDS), "b takes over");
            assertEquals(bLock.session().orElseThrow(), holder(key));
            assertEquals(List.of(), List.copyOf(drain(lostA)), "told once");
            assertFalse(a.release(), "nothing to release after a loss");
        }
    }

    static List<String> drain(BlockingQueue<String> q) {
        List<String> out = new java.util.ArrayList<>();
        q.drainTo(out);
        return out;
    }

    @Test
    void aKeyUsedByOtherFlagsIsNotTakenAsALock() throws Exception {
        String key = "recipes/not-a-lock";
        client.kv().put(key, b("plain"));
        try (Lock l = new Lock(client, key, b("x"), fast)) {
            // A plain key can be acquired by the first try (its flags are overwritten only on success),
            // so make it held by another session first: the waiting lock then sees foreign flags.
            String other = client.sessions().create(SessionCreateRequest.newBuilder().setLockDelayMillis(0).build());
            assertTrue(client.kv().acquire(key, b("plain"), other));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.acquire(ARRIVES));
            assertTrue(e.getMessage().contains("flags"), e.getMessage());
            assertFalse(l.isHeld());
            client.sessions().destroy(other);
        }
    }

    @Test
    void electionHandsOverOnResignationAndObserversFollow() throws Exception {
        String key = "recipes/election";
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (LeaderElection e1 = new LeaderElection(new Lock(client, key, b("node-1"), fast));
             LeaderElection e2 = new LeaderElection(new Lock(client, key, b("node-2"), fast));
             WatchHandle obs = e2.observe(l -> seen.add(l.map(x -> x.getValue().toStringUtf8()).orElse("none")))) {
            assertEquals(Optional.empty(), e1.leader());
            assertTrue(e1.campaign(ARRIVES));
            assertTrue(e1.isLeader());
            assertEquals("node-1", e1.leader().orElseThrow().getValue().toStringUtf8());
            awaitSeen(seen, "node-1");

            CompletableFuture<Boolean> second = inBackground(() -> e2.campaign(ARRIVES));
            assertTrue(e1.isLeader());
            assertTrue(e1.resign());
            assertTrue(second.get(ARRIVES.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e2.isLeader());
            assertFalse(e1.isLeader());
            assertEquals("node-2", e1.leader().orElseThrow().getValue().toStringUtf8());
            awaitSeen(seen, "node-2");
        }
    }

    /** Waits until the observer reports {@code value} (earlier reports, e.g. "none", are skipped). */
    static void awaitSeen(BlockingQueue<String> seen, String value) throws InterruptedException {
        long end = System.nanoTime() + ARRIVES.toNanos();
        while (System.nanoTime() < end) {
            String v = seen.poll(200, TimeUnit.MILLISECONDS);
            if (value.equals(v)) {
                return;
            }
        }
        throw new AssertionError("the observer never saw " + value);
    }

    static Set<String> holders(String prefix) {
        KvEntry lock = client.kv().get(prefix + "/.lock").orElseThrow();
        assertEquals(Semaphore.FLAGS, lock.getFlags(), "Consul's semaphore flag");
        JsonObject o = JsonParser.parseString(lock.getValue().toStringUtf8()).getAsJsonObject();
        assertEquals(2, o.get("Limit").getAsInt());
        return new TreeSet<>(o.getAsJsonObject("Holders").keySet());
    }

    @Test
    void aSemaphoreOfLimitTwoAdmitsTwoOfThreeAndTheThirdOnRelease() throws Exception {
        String prefix = "recipes/sem";
        try (Semaphore s1 = new Semaphore(client, prefix, 2, b("one"), fast);
             Semaphore s2 = new Semaphore(client, prefix + "/", 2, b("two"), fast);
             Semaphore s3 = new Semaphore(client, prefix, 2, b("three"), fast)) {
            assertTrue(s1.acquire(ARRIVES));
            assertTrue(s2.acquire(ARRIVES));
            String id1 = s1.session().orElseThrow();
            String id2 = s2.session().orElseThrow();
            assertEquals(Set.of(id1, id2), holders(prefix));
            // Consul's layout: a contender entry per session, held by it, with the semaphore flag.
            KvEntry c1 = client.kv().get(prefix + "/" + id1).orElseThrow();
            assertEquals(id1, c1.getSession());
            assertEquals("one", c1.getValue().toStringUtf8());
            assertEquals(Semaphore.FLAGS, c1.getFlags());

            assertFalse(s3.acquire(Duration.ofMillis(300)), "no third holder");
            assertEquals(Set.of(id1, id2), holders(prefix));
            CompletableFuture<Boolean> third = inBackground(() -> s3.acquire(ARRIVES));
            assertTrue(holders(prefix).size() <= 2);
            assertTrue(s1.release());
            assertTrue(third.get(ARRIVES.toSeconds(), TimeUnit.SECONDS), "the third takes the freed slot");
            assertEquals(Set.of(id2, s3.session().orElseThrow()), holders(prefix));
            assertTrue(client.kv().get(prefix + "/" + id1).isEmpty(), "the released contender entry is gone");

            // A contender with another limit is refused, changing nothing.
            try (Semaphore other = new Semaphore(client, prefix, 3, b("x"), fast)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.acquire(ARRIVES));
                assertTrue(e.getMessage().contains("limit"), e.getMessage());
            }
            assertEquals(Set.of(id2, s3.session().orElseThrow()), holders(prefix));
        }
    }

    @Test
    void aSemaphoreHolderWhoseSessionIsDestroyedIsToldAndPruned() throws Exception {
        String prefix = "recipes/sem-lost";
        BlockingQueue<String> lost = new LinkedBlockingQueue<>();
        try (Semaphore s1 = new Semaphore(client, prefix, 1, b("one"), fast.withOnLost(lost::add));
             Semaphore s2 = new Semaphore(client, prefix, 1, b("two"), fast)) {
            assertTrue(s1.acquire(ARRIVES));
            CompletableFuture<Boolean> second = inBackground(() -> s2.acquire(ARRIVES));
            client.sessions().destroy(s1.session().orElseThrow());
            // s2 prunes the dead holder (its contender entry lost its session) and takes the slot.
            assertTrue(second.get(ARRIVES.toSeconds(), TimeUnit.SECONDS));
            assertTrue(lost.poll(ARRIVES.toSeconds(), TimeUnit.SECONDS) != null, "s1 is told");
            assertFalse(s1.isHeld());
        }
    }

    @Test
    void keepAliveRenewsAndReportsLossWhenTheSessionIsDestroyed() throws Exception {
        String id = client.sessions().create(SessionCreateRequest.newBuilder().setTtlMillis(10_000).build());
        BlockingQueue<TribuneException> lost = new LinkedBlockingQueue<>();
        try (SessionKeepAlive ka = SessionKeepAlive.start(client.sessions(), id, Duration.ofSeconds(10),
                Duration.ofMillis(100), scheduler, (sid, cause) -> lost.add(cause))) {
            await(() -> ka.renewals() >= 3, "three renewals");
            assertFalse(ka.isLost());
            assertTrue(client.sessions().info(id).isPresent());

            assertTrue(client.sessions().destroy(id));
            TribuneException cause = lost.poll(ARRIVES.toSeconds(), TimeUnit.SECONDS);
            assertTrue(cause != null, "the loss is reported");
            assertEquals(Status.Code.NOT_FOUND, cause.code());
            assertTrue(ka.isLost());
            long after = ka.renewals();
            // Renewing stopped: several periods later, no second report and no renewal.
            assertEquals(null, lost.poll(500, TimeUnit.MILLISECONDS));
            assertEquals(after, ka.renewals());
        }
    }

    @Test
    void keepAliveRefusesAPeriodNotShorterThanTheTtl() {
        assertThrows(IllegalArgumentException.class, () -> SessionKeepAlive.start(client.sessions(), "x",
                Duration.ofSeconds(10), Duration.ofSeconds(10), scheduler, (s, c) -> { }));
        assertThrows(IllegalArgumentException.class, () -> RecipeOptions.defaults().withSessionTtl(Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(client, "p", 0, b("x"), fast));
        assertThrows(IllegalArgumentException.class, () -> new Lock(client, "", b("x"), fast));
    }
}
