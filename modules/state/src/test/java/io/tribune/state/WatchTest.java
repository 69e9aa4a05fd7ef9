package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchTest {
    private final Harness h = new Harness();

    @Test
    void watchCompletesAtOnceWhenTheIndexAlreadyMoved() {
        h.put("k", "v");
        CompletableFuture<Long> f = h.store.watch(WatchTarget.kvKey("k"), 0);
        assertTrue(f.isDone());
        assertEquals(1L, f.join());
        assertEquals(0, h.store.waiterCount());
    }

    @Test
    void writeWakesOnlyTheWaitersOfTheChangedKey() {
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            h.put("key/" + i, "v");
        }
        long idx = h.store.lastIndex();
        List<CompletableFuture<Long>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(h.store.watch(WatchTarget.kvKey("key/" + i), idx));
        }
        assertEquals(n, h.store.waiterCount());
        h.put("key/7", "changed");
        assertFalse(fs.get(7).isDone(), "completion is handed to the executor, not run by apply");
        assertEquals(1, h.drain(), "one notification task for the write");
        assertEquals(idx + 1, fs.get(7).join());
        for (int i = 0; i < n; i++) {
            if (i != 7) {
                assertFalse(fs.get(i).isDone(), "waiter " + i + " was woken by another key");
            }
        }
        assertEquals(n - 1, h.store.waiterCount());
    }

    @Test
    void prefixWaitersWakeForKeysUnderThePrefixOnly() {
        h.put("a/x", "1");
        long idx = h.store.lastIndex();
        CompletableFuture<Long> a = h.store.watch(WatchTarget.kvPrefix("a/"), idx);
        CompletableFuture<Long> ab = h.store.watch(WatchTarget.kvPrefix("a/b/"), idx);
        CompletableFuture<Long> b = h.store.watch(WatchTarget.kvPrefix("b/"), idx);
        CompletableFuture<Long> all = h.store.watch(WatchTarget.kvPrefix(""), idx);
        h.put("a/y", "2");
        h.drain();
        assertTrue(a.isDone());
        assertTrue(all.isDone());
        assertFalse(ab.isDone());
        assertFalse(b.isDone());
        h.put("a/b/c", "3");
        h.drain();
        assertTrue(ab.isDone());
        assertFalse(b.isDone());
    }

    @Test
    void deletingAKeyWakesItsPrefixWaiterWithAHigherIndex() {
        h.put("dir/a", "1");
        h.put("dir/b", "2");
        var before = h.store.kvList("dir/");
        CompletableFuture<Long> f = h.store.watch(WatchTarget.kvPrefix("dir/"), before.index());
        h.delete("dir/b");
        h.drain();
        assertTrue(f.isDone());
        var after = h.store.kvList("dir/");
        assertTrue(after.index() > before.index(), "the tombstone moves the index");
        assertEquals(1, after.value().size());
    }

    @Test
    void deleteTreeOfTheWholePrefixStillReportsAMovingIndex() {
        h.put("dir/a", "1");
        long idx = h.store.kvList("dir/").index();
        CompletableFuture<Long> f = h.store.watch(WatchTarget.kvPrefix("dir/"), idx);
        h.run(new Command.KvDeleteTree("dir/"));
        h.drain();
        assertTrue(f.isDone());
        assertTrue(h.store.kvList("dir/").value().isEmpty());
        assertEquals(2, h.store.kvList("dir/").index());
    }

    @Test
    void cancelledOrTimedOutWaitersAreUnregistered() {
        h.put("k", "v");
        CompletableFuture<Long> f = h.store.watch(WatchTarget.kvKey("k"), 1);
        CompletableFuture<Long> g = h.store.watch(WatchTarget.kvPrefix("p/"), 1);
        assertEquals(2, h.store.waiterCount());
        f.cancel(false);
        assertEquals(1, h.store.waiterCount());
        g.completeOnTimeout(-1L, 1, TimeUnit.MILLISECONDS);
        assertEquals(-1L, g.join());
        assertEquals(0, h.store.waiterCount());
    }

    @Test
    void tableServiceAndNodeWaitersWakeOnTheirChangesOnly() {
        h.node("n1");
        h.node("n2");
        long idx = h.store.lastIndex();
        CompletableFuture<Long> nodes = h.store.watch(WatchTarget.table(Table.NODES), idx);
        CompletableFuture<Long> kv = h.store.watch(WatchTarget.table(Table.KVS), idx);
        CompletableFuture<Long> web = h.store.watch(new WatchTarget.Service("web"), h.store.watchIndex(
                new WatchTarget.Service("web")));
        CompletableFuture<Long> db = h.store.watch(new WatchTarget.Service("db"), h.store.watchIndex(
                new WatchTarget.Service("db")));
        CompletableFuture<Long> n1 = h.store.watch(new WatchTarget.Node("n1"), idx);
        CompletableFuture<Long> n2 = h.store.watch(new WatchTarget.Node("n2"), idx);
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 80)),
                List.of(), 0));
        h.drain();
        assertTrue(web.isDone());
        assertTrue(n1.isDone());
        assertFalse(db.isDone());
        assertFalse(n2.isDone());
        assertFalse(nodes.isDone(), "the node itself did not change");
        assertFalse(kv.isDone());
        h.run(new Command.Register(Node.of("n2", "10.9.9.9"), Optional.empty(), List.of(), 0));
        h.drain();
        assertTrue(nodes.isDone());
        assertTrue(n2.isDone());
        assertFalse(db.isDone());
    }

    @Test
    void nodeCheckChangeWakesWatchersOfEveryServiceOnTheNode() {
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 80)),
                List.of(), 0));
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("db1", "db", 5432)),
                List.of(), 0));
        long web = h.store.watchIndex(new WatchTarget.Service("web"));
        long db = h.store.watchIndex(new WatchTarget.Service("db"));
        CompletableFuture<Long> fw = h.store.watch(new WatchTarget.Service("web"), web);
        CompletableFuture<Long> fd = h.store.watch(new WatchTarget.Service("db"), db);
        h.nodeWithCheck("n1", "serfHealth", HealthStatus.CRITICAL);
        h.drain();
        assertTrue(fw.isDone());
        assertTrue(fd.isDone());
        assertTrue(h.store.serviceHealth("web", null, false, Harness.noMeta()).index() > web);
    }

    @Test
    void feedDeliversTypedChangesInIndexOrder() {
        List<String> got = new CopyOnWriteArrayList<>();
        var sub = h.store.subscribe((index, changes) -> {
            for (Change c : changes) {
                got.add(index + ":" + c.table() + ":" + c.op() + ":" + c.key());
            }
        });
        h.put("a", "1");
        h.delete("a");
        h.node("n1");
        h.drain();
        assertEquals(List.of("1:KVS:UPSERT:a", "2:KVS:DELETE:a", "3:NODES:UPSERT:n1"), got);
        sub.close();
        h.put("b", "2");
        h.drain();
        assertEquals(3, got.size(), "closed subscription gets nothing more");
    }

    @Test
    void slowSubscriberIsDroppedWithOverflowAndOthersUnaffected() {
        List<String> events = new ArrayList<>();
        h.store.subscribe(new ChangeListener() {
            @Override
            public void onChanges(long index, List<Change> changes) {
                events.add("c" + index);
            }

            @Override
            public void onOverflow() {
                events.add("overflow");
            }
        });
        // Nothing drains: the queue grows to the bound, then the subscriber is dropped.
        for (int i = 0; i < StateStore.MAX_PENDING_BATCHES + 5; i++) {
            h.put("k", "v" + i);
        }
        h.drain();
        assertEquals(List.of("overflow"), events);
    }

    @Test
    void unchangedReRegistrationWakesNobody() {
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 80)),
                List.of(), 0));
        long idx = h.store.watchIndex(new WatchTarget.Service("web"));
        CompletableFuture<Long> f = h.store.watch(new WatchTarget.Service("web"), idx);
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 80)),
                List.of(), 0));
        h.drain();
        assertFalse(f.isDone());
        assertEquals(idx, h.store.watchIndex(new WatchTarget.Service("web")));
    }

    @Test
    void targetedSubscriptionsReceiveOnlyTheirChanges() {
        List<String> web = new ArrayList<>();
        List<String> cfg = new ArrayList<>();
        var s1 = h.store.subscribe(new WatchTarget.Service("web"), (index, changes) -> {
            for (Change c : changes) {
                web.add(index + ":" + c.table() + ":" + c.key());
            }
        });
        h.store.subscribe(WatchTarget.kvPrefix("config/"), (index, changes) -> {
            for (Change c : changes) {
                cfg.add(index + ":" + c.key());
            }
        });
        h.put("config/a", "1");
        h.put("other", "2");
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 80)),
                List.of(), 0));
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("db1", "db", 80)),
                List.of(), 0));
        h.run(new Command.KvTxn(List.of(new TxnOp(TxnOp.Verb.SET, "config/b", null, 0, 0, ""),
                new TxnOp(TxnOp.Verb.SET, "x", null, 0, 0, "")), 0));
        h.drain();
        assertEquals(List.of("1:config/a", "5:config/b"), cfg, "one batch per write, only matching changes");
        assertEquals(List.of("3:SERVICES:web1"), web);
        s1.close();
        h.run(new Command.Register(Node.of("n1", "10.0.0.1"), Optional.of(NodeService.of("web1", "web", 81)),
                List.of(), 0));
        h.drain();
        assertEquals(1, web.size(), "closed");
    }
}
