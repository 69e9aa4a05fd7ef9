package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ConcurrencyTest {

    @Test
    void readersAlwaysSeeWholeTransactionsAndNeverGoBack() throws Exception {
        ExecutorService notifier = Executors.newSingleThreadExecutor();
        StateStore store = new StateStore(notifier);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicLong reads = new AtomicLong();
        Runnable reader = () -> {
            long lastIndex = 0;
            while (!done.get() && failure.get() == null) {
                Indexed<List<KvEntry>> r = store.kvList("pair/");
                if (r.value().size() == 2) {
                    String a = new String(r.value().get(0).value(), StandardCharsets.UTF_8);
                    String b = new String(r.value().get(1).value(), StandardCharsets.UTF_8);
                    if (!a.equals(b)) {
                        failure.set("torn read: " + a + " vs " + b);
                    }
                }
                if (r.index() < lastIndex) {
                    failure.set("index went back from " + lastIndex + " to " + r.index());
                }
                lastIndex = r.index();
                reads.incrementAndGet();
            }
        };
        Thread r1 = new Thread(reader, "reader-1");
        Thread r2 = new Thread(reader, "reader-2");
        r1.start();
        r2.start();
        try {
            for (int i = 1; i <= 5_000; i++) {
                byte[] v = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
                store.apply(i, 1, new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.SET, "pair/a", v, 0, 0, ""),
                        new TxnOp(TxnOp.Verb.SET, "pair/b", v, 0, 0, "")), 0).encode());
            }
        } finally {
            done.set(true);
            r1.join();
            r2.join();
            notifier.shutdown();
            assertTrue(notifier.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(null, failure.get());
        assertTrue(reads.get() > 0);
    }

    @Test
    void watchersAreCompletedOnTheNotifierNotTheApplyThread() throws Exception {
        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> new Thread(r, "notifier"));
        try {
            StateStore store = new StateStore(notifier);
            CompletableFuture<String> thread = store.watch(WatchTarget.kvKey("k"), 1)
                    .thenApply(i -> Thread.currentThread().getName());
            store.apply(1, 1, new Command.KvSet("k", null, 0, java.util.OptionalLong.empty()).encode());
            String name = thread.get(10, TimeUnit.SECONDS);
            assertEquals("notifier", name);
            assertNotEquals(Thread.currentThread().getName(), name);
        } finally {
            notifier.shutdown();
        }
    }

    @Test
    void aBlockedWatcherCallbackDoesNotStallApply() throws Exception {
        ExecutorService notifier = Executors.newSingleThreadExecutor(r -> new Thread(r, "notifier"));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try {
            StateStore store = new StateStore(notifier);
            CompletableFuture<Void> stuck = store.watch(WatchTarget.kvKey("k"), 1).thenRun(() -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            store.apply(1, 1, new Command.KvSet("k", null, 0, java.util.OptionalLong.empty()).encode());
            // The callback is now blocked on the notifier thread; apply must keep going regardless.
            for (int i = 2; i <= 1_000; i++) {
                store.apply(i, 1, new Command.KvSet("k" + i, null, 0, java.util.OptionalLong.empty()).encode());
            }
            assertEquals(1_000, store.lastIndex());
            assertTrue(!stuck.isDone());
            release.countDown();
            stuck.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            notifier.shutdown();
        }
    }
}
