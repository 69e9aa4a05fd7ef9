package io.tribune.agent.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Subscription;
import io.tribune.api.membership.Keyring;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.QueryHandler;
import io.tribune.api.membership.QueryLimits;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import io.tribune.testkit.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The membership front of a live update, with a scripted double in place of a plugin: which state is
 * handed over, that the agent's listeners keep their subscriptions and see no false events, what
 * calls do during the swap, and recovery.
 */
class SwappableMembershipTest {
    static final Map<String, String> TAGS = Map.of("role", "consul", "dc", "dc1");

    /** A membership whose events the test scripts; delivered synchronously on the calling thread. */
    static class Fake implements Membership {
        final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
        final LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        final List<List<String>> joins = new ArrayList<>();
        final List<Map<String, String>> tagUpdates = new ArrayList<>();
        final Map<String, QueryHandler> handlers = new LinkedHashMap<>();
        final List<String> keys;
        Member local;
        boolean started;
        boolean closed;
        /** Members the next join "learns" from its seeds (each gets a JOIN). */
        List<Member> learnOnJoin = List.of();
        Runnable duringJoin = () -> { };

        Fake(String name, int port, Map<String, String> tags, long incarnation, List<String> keys) {
            this.local = new Member(name, "127.0.44.1", port, tags, MemberStatus.ALIVE, incarnation);
            this.keys = keys == null ? null : new ArrayList<>(keys);
        }

        void emit(MemberEvent.Type type, Member m) {
            if (type == MemberEvent.Type.REAP) {
                members.remove(m.name());
            } else {
                members.put(m.name(), m);
            }
            listeners.forEach(l -> l.onMemberEvent(new MemberEvent(type, m)));
        }

        void user(String name, long ltime) {
            listeners.forEach(l -> l.onUserEvent(new UserEvent(name, new byte[] {1}, ltime, false)));
        }

        @Override
        public void start() {
            started = true;
            emit(MemberEvent.Type.JOIN, local);
        }

        @Override
        public Member localMember() {
            return local;
        }

        @Override
        public List<Member> members() {
            return started ? List.copyOf(members.values()) : List.of(local);
        }

        @Override
        public CompletableFuture<Integer> join(List<String> seeds) {
            joins.add(seeds);
            duringJoin.run();
            learnOnJoin.forEach(m -> emit(MemberEvent.Type.JOIN, m));
            return CompletableFuture.completedFuture(seeds.size());
        }

        @Override
        public CompletableFuture<Void> leave(Duration timeout) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> forceLeave(String name, boolean prune) {
            return members.containsKey(name) ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.failedFuture(new IllegalArgumentException("no member named '" + name + "'"));
        }

        @Override
        public CompletableFuture<Void> updateTags(Map<String, String> tags) {
            tagUpdates.add(tags);
            local = new Member(local.name(), local.host(), local.port(), tags, MemberStatus.ALIVE, local.incarnation() + 1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> broadcast(String name, byte[] payload, boolean coalesce) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public Subscription subscribe(MembershipListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public Optional<Keyring> keyring() {
            if (keys == null) {
                return Optional.empty();
            }
            return Optional.of(new Keyring() {
                @Override
                public List<String> keys() {
                    return List.copyOf(keys);
                }

                @Override
                public String primaryKey() {
                    return keys.get(0);
                }

                @Override
                public void install(String key) {
                    if (!keys.contains(key)) {
                        keys.add(key);
                    }
                }

                @Override
                public void use(String key) {
                    keys.remove(key);
                    keys.add(0, key);
                }

                @Override
                public void remove(String key) {
                    keys.remove(key);
                }
            });
        }

        @Override
        public Optional<MemberQueries> queries() {
            return Optional.of(new MemberQueries() {
                @Override
                public QueryLimits limits() {
                    return QueryLimits.DEFAULT;
                }

                @Override
                public Subscription handle(String name, QueryHandler handler) {
                    handlers.put(name, handler);
                    return () -> handlers.remove(name);
                }

                @Override
                public CompletableFuture<QueryResult> query(String name, byte[] payload, Duration timeout) {
                    return new CompletableFuture<>();
                }
            });
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** What a listener of the agent's receives, as "TYPE name status". */
    static final class Recorder implements MembershipListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void onMemberEvent(MemberEvent e) {
            events.add(e.type() + " " + e.member().name() + " " + e.member().status());
        }

        @Override
        public void onUserEvent(UserEvent e) {
            events.add("USER " + e.name() + "@" + e.lamportTime());
        }
    }

    static Member member(String name, int port, Map<String, String> tags, MemberStatus status, long inc) {
        return new Member(name, "127.0.44." + port % 200, port, tags, status, inc);
    }

    final SimScheduler scheduler = new SimScheduler();
    final Member b = member("b", 8302, TAGS, MemberStatus.ALIVE, 3);
    final Member c = member("c", 8303, TAGS, MemberStatus.ALIVE, 1);
    final Member x = member("x", 8304, TAGS, MemberStatus.FAILED, 5);

    /** A front over an instance that knows a, b, c alive and x failed; the recorder subscribed after start. */
    SwappableMembership started(Fake first, Recorder rec) {
        SwappableMembership front = new SwappableMembership(first, scheduler.clock(), scheduler, Duration.ofHours(1),
                Duration.ofSeconds(5));
        front.start();
        front.subscribe(rec);
        first.emit(MemberEvent.Type.JOIN, b);
        first.emit(MemberEvent.Type.JOIN, c);
        first.emit(MemberEvent.Type.JOIN, member("x", 8304, TAGS, MemberStatus.ALIVE, 4));
        first.emit(MemberEvent.Type.FAILED, x);
        first.local = new Member("a", first.local.host(), first.local.port(), TAGS, MemberStatus.ALIVE, 7);
        return front;
    }

    @Test
    void handoverCarriesIdentityTagsIncarnationPortKeysAndTheAliveMembersAsSeeds() {
        Fake first = new Fake("a", 8301, TAGS, 0, List.of("k2", "k1"));
        Recorder rec = new Recorder();
        SwappableMembership front = started(first, rec);
        first.user("deploy", 41);

        SwappableMembership.Handover h = front.release();

        assertTrue(first.closed, "the old instance is closed by release");
        assertEquals("a", h.local().name());
        assertEquals(8301, h.local().port());
        assertEquals(TAGS, h.local().tags());
        assertEquals(7, h.incarnation());
        assertEquals(List.of("k2", "k1"), h.keys());
        assertEquals("k2", h.primaryKey());
        assertEquals(42, h.eventClock(), "one past the last user event's Lamport time");
        assertEquals(List.of("127.0.44.102:8302", "127.0.44.103:8303"), h.seeds(),
                "alive members but the local one; not the failed one");
    }

    @Test
    void listenersStayAttachedAndSeeNoFalseEventsAcrossTheSwap() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        Recorder rec = new Recorder();
        SwappableMembership front = started(first, rec);
        List<String> before = List.copyOf(rec.events);
        assertEquals(List.of("JOIN b ALIVE", "JOIN c ALIVE", "JOIN x ALIVE", "FAILED x FAILED"), before);

        front.release();
        first.emit(MemberEvent.Type.FAILED, b);   // a late event of the released instance: dropped
        Fake next = new Fake("a", 8301, TAGS, 8, null);
        // The next instance learns b and c again (a JOIN each, as a fresh plugin reports them); x is not
        // gossiped to a newcomer.
        next.learnOnJoin = List.of(member("b", 8302, TAGS, MemberStatus.ALIVE, 3), member("c", 8303, TAGS,
                MemberStatus.ALIVE, 1));
        front.resume(h -> next);

        assertEquals(before, rec.events, "no JOIN of known members, no LEAVE/FAILED/REAP from the swap");
        assertEquals(List.of(List.of("127.0.44.102:8302", "127.0.44.103:8303")), next.joins, "rejoined at once");
        List<Member> listed = front.members();
        assertEquals(List.of("a", "b", "c", "x"), listed.stream().map(Member::name).toList(),
                "the failed member is carried over, so that the catalog keeps it");
        assertEquals(MemberStatus.FAILED, listed.get(3).status());

        // Real changes after the swap are delivered: a tag change (the next instance reports it as a JOIN)
        // and a failure.
        next.emit(MemberEvent.Type.JOIN, member("b", 8302, Map.of("role", "node"), MemberStatus.ALIVE, 9));
        next.emit(MemberEvent.Type.FAILED, member("c", 8303, TAGS, MemberStatus.FAILED, 1));
        next.emit(MemberEvent.Type.JOIN, member("d", 8305, TAGS, MemberStatus.ALIVE, 0));
        assertEquals(List.of("UPDATE b ALIVE", "FAILED c FAILED", "JOIN d ALIVE"),
                rec.events.subList(before.size(), rec.events.size()));
    }

    @Test
    void carriedMembersAreReapedAfterTheCarryTimeOnTheVirtualClock() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        Recorder rec = new Recorder();
        SwappableMembership front = started(first, rec);
        front.release();
        Fake next = new Fake("a", 8301, TAGS, 8, null);
        front.resume(h -> next);
        int seen = rec.events.size();

        scheduler.runFor(Duration.ofMinutes(59));
        assertTrue(front.members().stream().anyMatch(m -> m.name().equals("x")));
        scheduler.runFor(Duration.ofMinutes(2));

        assertEquals(List.of("REAP x FAILED"), rec.events.subList(seen, rec.events.size()));
        assertFalse(front.members().stream().anyMatch(m -> m.name().equals("x")));
    }

    @Test
    void membersAnswerTheSnapshotUntilTheRejoinHasCompleted() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        SwappableMembership front = started(first, new Recorder());
        List<Member> atRelease = first.members();
        front.release();
        assertEquals(atRelease, front.members(), "during the swap: the released instance's list");
        assertEquals(7, front.localMember().incarnation());
        assertEquals(Map.of("handover", "in progress"), front.stats());

        Fake next = new Fake("a", 8301, TAGS, 8, null);
        List<List<Member>> seenDuringJoin = new ArrayList<>();
        next.duringJoin = () -> seenDuringJoin.add(front.members());
        front.resume(h -> next);

        assertEquals(List.of(atRelease), seenDuringJoin,
                "a started but unjoined instance knows only itself; the front does not answer with that");
        assertEquals(8, front.localMember().incarnation(), "the new instance's identity once it runs");
    }

    @Test
    void callsDuringTheSwapWaitForTheNextInstanceAndKeyringChangesAskForARetry() {
        Fake first = new Fake("a", 8301, TAGS, 0, List.of("k1"));
        SwappableMembership front = started(first, new Recorder());
        front.release();

        CompletableFuture<Void> tags = front.updateTags(Map.of("role", "consul", "raft", "1"));
        CompletableFuture<Integer> join = front.join(List.of("127.0.44.9"));
        assertFalse(tags.isDone());
        assertFalse(join.isDone());
        Keyring k = front.keyring().orElseThrow();
        assertEquals(List.of("k1"), k.keys(), "reads answer the snapshot");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> k.install("k9"));
        assertTrue(e.getMessage().contains("retry"), e.getMessage());

        Fake next = new Fake("a", 8301, TAGS, 8, List.of("k1"));
        front.resume(h -> next);

        tags.join();
        assertEquals(List.of(Map.of("role", "consul", "raft", "1")), next.tagUpdates, "ran on the next instance");
        assertEquals(1, join.join());
        assertEquals(List.of("127.0.44.9"), next.joins.get(0), "the waiting join ran before the rejoin");
        k.install("k9");
        assertEquals(List.of("k1", "k9"), next.keys);
    }

    @Test
    void keyringAndQueryHandlersAreRestoredOnTheNextInstance() {
        Fake first = new Fake("a", 8301, TAGS, 0, List.of("k1"));
        SwappableMembership front = started(first, new Recorder());
        QueryHandler h = q -> CompletableFuture.completedFuture(new byte[0]);
        front.queries().orElseThrow().handle("tribune-keyring", h);
        assertSame(h, first.handlers.get("tribune-keyring"));
        front.keyring().orElseThrow().install("k2");
        front.keyring().orElseThrow().use("k2");
        assertEquals(List.of("k2", "k1"), first.keys);

        front.release();
        // The next instance is created from its configuration, which names only the original key.
        Fake next = new Fake("a", 8301, TAGS, 8, List.of("k1"));
        front.resume(x -> next);

        assertEquals(List.of("k2", "k1"), next.keys, "installed keys and the primary as they were");
        assertSame(h, next.handlers.get("tribune-keyring"), "the agent's keyring queries are answered again");
        assertFalse(first.handlers.containsKey("tribune-keyring"), "unregistered from the released instance");
        assertTrue(first.closed);
    }

    @Test
    void userEventsAroundTheSwapAreDeliveredOnce() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        Recorder rec = new Recorder();
        SwappableMembership front = started(first, rec);
        first.user("deploy", 10);
        front.release();
        Fake next = new Fake("a", 8301, TAGS, 8, null);
        front.resume(h -> next);
        next.user("deploy", 10);   // a copy still gossiped after the swap
        next.user("deploy", 11);

        assertEquals(List.of("USER deploy@10", "USER deploy@11"),
                rec.events.stream().filter(s -> s.startsWith("USER")).toList());
    }

    @Test
    void aFailedResumeLeavesTheFrontReleasedForTheOldRevisionOrAbandoned() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        Recorder rec = new Recorder();
        SwappableMembership front = started(first, rec);
        front.release();
        CompletableFuture<Void> waiting = front.updateTags(TAGS);
        Fake broken = new Fake("a", 8301, TAGS, 8, null) {
            @Override
            public void start() {
                throw new IllegalStateException("cannot bind gossip UDP+TCP on 127.0.44.1:8301");
            }
        };
        assertThrows(IllegalStateException.class, () -> front.resume(h -> broken));
        assertTrue(broken.closed, "the instance that failed to start is closed");
        assertTrue(front.released());
        assertNull(front.current());
        assertFalse(waiting.isDone());

        Fake old = new Fake("a", 8301, TAGS, 8, null);
        old.learnOnJoin = List.of(b, c);
        front.resume(h -> old);
        assertFalse(front.released());
        waiting.join();

        front.release();
        CompletableFuture<Void> waitingAgain = front.updateTags(TAGS);
        front.abandon("the previous version failed too");
        CompletionException e = assertThrows(CompletionException.class, waitingAgain::join);
        assertTrue(e.getCause().getMessage().contains("restart the agent"), e.getCause().getMessage());
        assertEquals(List.of("a", "b", "c", "x"), front.members().stream().map(Member::name).toList(),
                "reads still answer the snapshot, the member carried over the first swap included");
    }

    @Test
    void releaseTwiceOrResumeWithoutReleaseIsRefusedAndChangesNothing() {
        Fake first = new Fake("a", 8301, TAGS, 0, null);
        SwappableMembership front = started(first, new Recorder());
        assertThrows(IllegalStateException.class, () -> front.resume(h -> new Fake("a", 1, TAGS, 0, null)));
        assertSame(first, front.current());
        front.release();
        assertThrows(IllegalStateException.class, front::release);
        front.close();
        assertThrows(IllegalStateException.class, () -> front.resume(h -> new Fake("a", 1, TAGS, 0, null)));
    }
}
