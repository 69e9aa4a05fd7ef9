package io.tribune.membership.fixed.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.Plugin;
import io.tribune.api.PluginConfig;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberAnswer;
import io.tribune.api.membership.MemberQueries;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.api.membership.QueryResult;
import io.tribune.api.membership.UserEvent;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StaticMembershipTest {
    private final SimScheduler sim = new SimScheduler();

    private Membership create(Map<String, String> config, Pool pool) {
        return new StaticMembershipFactory().create(
                new MembershipSetup("local", pool, "10.0.0.1", 0, null, Map.of("role", "server")),
                PluginConfig.of(config), TestContext.simulated("local", sim, 7));
    }

    @Test
    void configuredMembersAreAliveAndNamedAsGiven() {
        Membership m = create(Map.of(StaticConfig.MEMBERS, "a@10.0.0.2:8301, 10.0.0.3:9000,b@[::1]:7"), Pool.LAN);
        List<MemberEvent> events = new ArrayList<>();
        m.subscribe(new MembershipListener() {
            @Override
            public void onMemberEvent(MemberEvent event) {
                events.add(event);
            }
        });
        m.start();
        sim.runUntilIdle(100);
        List<String> names = m.members().stream().map(Member::name).toList();
        assertEquals(List.of("local", "a", "10.0.0.3:9000", "b"), names);
        assertTrue(m.members().stream().allMatch(x -> x.status() == MemberStatus.ALIVE));
        assertEquals(8301, m.localMember().port(), "port 0 means the LAN pool's default port");
        assertEquals("::1", m.members().get(3).host());
        assertEquals(4, events.size());
        assertTrue(events.stream().allMatch(e -> e.type() == MemberEvent.Type.JOIN));
    }

    private static final Map<String, String> RECORD = Map.of(StaticConfig.JOIN, "record");

    @Test
    void joinIsRefusedByDefaultNamingTheAddressAndListsNobody() {
        Membership m = create(Map.of(), Pool.LAN);
        m.start();
        CompletionException e = assertThrows(CompletionException.class, () -> m.join(List.of("127.0.4.9")).join());
        assertTrue(e.getCause().getMessage().contains("127.0.4.9:8301"), e.getCause().getMessage());
        assertEquals(1, m.members().size());
        assertThrows(IllegalArgumentException.class, () -> create(Map.of(StaticConfig.JOIN, "maybe"), Pool.LAN));
    }

    @Test
    void wanPoolDefaultsToWanPortForSeedsWithoutPort() {
        Membership m = create(RECORD, Pool.WAN);
        m.start();
        assertEquals(1, m.join(List.of("seed@10.0.0.9")).join());
        Member seed = m.members().get(1);
        assertEquals("seed", seed.name());
        assertEquals(8302, seed.port());
    }

    @Test
    void badConfigIsRefusedNamingTheKey() {
        for (String bad : List.of("a@", "@h:1", "h:0", "h:70000", "x@h:1,x@h:2", "h h:1", ",")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> create(Map.of(StaticConfig.MEMBERS, bad), Pool.LAN), bad);
            assertTrue(e.getMessage().contains(StaticConfig.MEMBERS), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> create(Map.of("membership-static.typo", "1"), Pool.LAN));
        assertTrue(e.getMessage().contains("membership-static.typo"));
        assertThrows(IllegalArgumentException.class,
                () -> create(Map.of(StaticConfig.USER_EVENT_MAX_BYTES, "0"), Pool.LAN));
    }

    @Test
    void rejoinAfterForceLeaveBringsMemberBackWithHigherIncarnation() {
        Membership m = create(RECORD, Pool.LAN);
        m.start();
        m.join(List.of("10.0.0.5:8301")).join();
        m.forceLeave("10.0.0.5:8301", false).join();
        assertEquals(MemberStatus.LEFT, m.members().get(1).status());
        m.join(List.of("10.0.0.5:8301")).join();
        assertEquals(MemberStatus.ALIVE, m.members().get(1).status());
        assertEquals(1, m.members().get(1).incarnation());
    }

    @Test
    void joiningOwnAddressAddsNothing() {
        Membership m = create(RECORD, Pool.LAN);
        m.start();
        assertEquals(1, m.join(List.of("10.0.0.1:8301")).join());
        assertEquals(1, m.members().size());
    }

    @Test
    void forceLeaveOfLocalMemberIsRefused() {
        Membership m = create(Map.of(), Pool.LAN);
        m.start();
        assertTrue(m.forceLeave("local", false).isCompletedExceptionally());
        assertEquals(MemberStatus.ALIVE, m.localMember().status());
    }

    @Test
    void userEventsCarryIncreasingLamportTimes() {
        Membership m = create(Map.of(), Pool.LAN);
        List<UserEvent> got = new ArrayList<>();
        m.subscribe(new MembershipListener() {
            @Override
            public void onUserEvent(UserEvent event) {
                got.add(event);
            }
        });
        m.start();
        m.broadcast("a", new byte[] {1}, true).join();
        m.broadcast("a", new byte[] {2}, true).join();
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(2, got.size());
        assertEquals(1, got.get(0).lamportTime());
        assertEquals(2, got.get(1).lamportTime());
        assertTrue(got.get(1).coalesce());
        assertEquals("2", m.stats().get("event.clock"));
    }

    @Test
    void pluginIsRegisteredAsServiceProviderInModuleDescriptor() {
        // Tests run inside the named module, which provides but does not use Plugin, so check the
        // descriptor that ServiceLoader reads rather than calling ServiceLoader from here.
        Module module = StaticMembershipPlugin.class.getModule();
        assertTrue(module.isNamed(), "tests run on the module path");
        assertTrue(module.getDescriptor().provides().stream().anyMatch(p -> p.service().equals(Plugin.class.getName())
                && p.providers().equals(List.of(StaticMembershipPlugin.class.getName()))));
        Plugin p = new StaticMembershipPlugin();
        assertEquals(Set.of(SpiKind.MEMBERSHIP), p.descriptor().provides());
        assertEquals("membership-static", p.descriptor().name());
        assertEquals("membership-static", p.membershipFactories().get(0).name());
    }

    @Test
    void configuredMembersAreAskedAndReportedAsNotAnsweringAtTheTimeout() {
        Membership m = create(Map.of(StaticConfig.MEMBERS, "a@10.0.0.2:8301,b@10.0.0.3:8301"), Pool.LAN);
        m.start();
        MemberQueries q = m.queries().orElseThrow();
        q.handle("echo", x -> CompletableFuture.completedFuture(x.payload()));
        long start = sim.clock().millis();
        CompletableFuture<QueryResult> f = q.query("echo", new byte[] {7}, Duration.ofSeconds(3));
        sim.runFor(Duration.ofMillis(2999));
        assertFalse(f.isDone(), "waits for the configured members until the timeout");
        sim.runFor(Duration.ofMillis(1));
        assertTrue(f.isDone());
        assertEquals(3000, sim.clock().millis() - start);
        QueryResult r = f.join();
        assertEquals(List.of("a", "b", "local"), List.copyOf(r.answers().keySet()));
        assertArrayEquals(new byte[] {7}, r.answer("local").answer());
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer("a").outcome());
        assertEquals(MemberAnswer.Outcome.NO_ANSWER, r.answer("b").outcome());
        assertEquals("0", m.stats().get("queries.pending"));
    }

    @Test
    void queriesInFlightAreBoundedAndFailWhenTheInstanceCloses() {
        Membership m = create(Map.of(StaticConfig.MEMBERS, "a@10.0.0.2:8301"), Pool.LAN);
        m.start();
        MemberQueries q = m.queries().orElseThrow();
        List<CompletableFuture<QueryResult>> open = new ArrayList<>();
        for (int i = 0; i < StaticMembership.MAX_PENDING_QUERIES; i++) {
            open.add(q.query("x", new byte[0], Duration.ofSeconds(30)));
        }
        CompletableFuture<QueryResult> over = q.query("x", new byte[0], Duration.ofSeconds(30));
        assertTrue(over.isCompletedExceptionally(), "one more than the bound is refused");
        sim.runFor(Duration.ofSeconds(1));
        m.close();
        for (CompletableFuture<QueryResult> f : open) {
            CompletionException e = assertThrows(CompletionException.class, f::join);
            assertTrue(e.getCause() instanceof IllegalStateException, e.toString());
        }
    }

    @Test
    void oversizedAnswerIsReportedAsTheLocalMembersFailure() {
        Membership m = create(Map.of(), Pool.LAN);
        m.start();
        MemberQueries q = m.queries().orElseThrow();
        int max = q.limits().maxAnswerBytes();
        q.handle("big", x -> CompletableFuture.completedFuture(new byte[max + 1]));
        CompletableFuture<QueryResult> f = q.query("big", new byte[0], Duration.ofSeconds(3));
        sim.runUntilIdle(100);
        MemberAnswer a = f.join().answer("local");
        assertEquals(MemberAnswer.Outcome.FAILED, a.outcome());
        assertTrue(a.failure().contains("exceeds the limit of " + max), a.failure());
        assertEquals("ab", StaticMembership.truncate("ab\u00e9", 3), "never cuts a character in two");
    }
}
