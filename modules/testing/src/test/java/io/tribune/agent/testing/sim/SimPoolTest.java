package io.tribune.agent.testing.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.PluginConfig;
import io.tribune.api.membership.Member;
import io.tribune.api.membership.MemberEvent;
import io.tribune.api.membership.MemberStatus;
import io.tribune.api.membership.Membership;
import io.tribune.api.membership.MembershipListener;
import io.tribune.api.membership.MembershipSetup;
import io.tribune.api.membership.Pool;
import io.tribune.testkit.SimScheduler;
import io.tribune.testkit.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the membership kit does not cover: order under random delays, the failure control, replay. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimPoolTest {
    private final SimScheduler sim = new SimScheduler();

    private SimPool pool(long seed) {
        return SimPool.builder(sim).seed(seed).propagation(Duration.ofMillis(1), Duration.ofMillis(200)).build();
    }

    private Membership view(SimPool pool, String name, List<String> log) {
        Membership m = pool.factory().create(new MembershipSetup(name, Pool.LAN, "127.0.0.1", 0, "127.0.0.1",
                Map.of("role", "node")), PluginConfig.empty(), TestContext.simulated(name, sim, 1));
        m.subscribe(new MembershipListener() {
            @Override
            public void onMemberEvent(MemberEvent e) {
                log.add(String.format("%d %s %s %s %s inc %d", sim.clock().nanos() / 1_000_000, name, e.type(),
                        e.member().name(), e.member().tags().getOrDefault("n", "-"), e.member().incarnation()));
            }
        });
        m.start();
        return m;
    }

    /** Three views joined to the first, settled. */
    private List<Membership> cluster(SimPool pool, List<String> log) {
        List<Membership> out = new ArrayList<>();
        for (String n : List.of("a", "b", "c")) {
            Membership m = view(pool, n, log);
            if (!out.isEmpty()) {
                Member seed = out.get(0).localMember();
                assertEquals(1, m.join(List.of(seed.host() + ":" + seed.port())).getNow(-1), "a join completes at once");
            }
            out.add(m);
        }
        sim.runFor(Duration.ofSeconds(1));
        for (Membership m : out) {
            assertEquals(3, m.members().stream().filter(x -> x.status() == MemberStatus.ALIVE).count());
        }
        return out;
    }

    @Test
    void changesReachEveryViewInTheOrderTheyWereMadeDespiteRandomDelays() {
        List<String> log = new ArrayList<>();
        List<Membership> c = cluster(pool(3), log);
        for (int i = 0; i < 30; i++) {
            assertTrue(c.get(0).updateTags(Map.of("n", Integer.toString(i))).isDone());
            sim.runFor(Duration.ofMillis(3)); // far shorter than the delays: deliveries overlap
        }
        sim.runFor(Duration.ofSeconds(1));
        for (String viewer : List.of("b", "c")) {
            List<String> seen = log.stream().filter(l -> l.contains(" " + viewer + " UPDATE a "))
                    .map(l -> l.split(" ")[4]).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                expected.add(Integer.toString(i));
            }
            assertEquals(expected, seen, viewer + " saw a's changes out of order or not all of them");
            Member a = c.get(viewer.equals("b") ? 1 : 2).members().stream().filter(m -> m.name().equals("a"))
                    .findFirst().orElseThrow();
            assertEquals("29", a.tag("n"));
        }
    }

    @Test
    void aFailureIsSeenByEveryOtherViewOnlyAfterTheChosenDelay() {
        SimPool pool = pool(4);
        List<String> log = new ArrayList<>();
        List<Membership> c = cluster(pool, log);
        c.get(2).close();
        pool.fail("c", Duration.ofSeconds(2));
        sim.runFor(Duration.ofMillis(1_999));
        assertEquals(MemberStatus.ALIVE, statusAt(c.get(0), "c"), "failed before the delay");
        sim.runFor(Duration.ofMillis(202));
        assertEquals(MemberStatus.FAILED, statusAt(c.get(0), "c"));
        assertEquals(MemberStatus.FAILED, statusAt(c.get(1), "c"));
        assertEquals(1, log.stream().filter(l -> l.contains(" a FAILED c ")).count());
        assertTrue(log.stream().noneMatch(l -> l.contains("LEAVE c")), "a crash is not a leave");
        assertEquals(MemberStatus.FAILED, pool.member("c").orElseThrow().status());
    }

    @Test
    void aRunningMemberThatIsDeclaredFailedRefutesWithAHigherIncarnation() {
        SimPool pool = pool(5);
        List<String> log = new ArrayList<>();
        List<Membership> c = cluster(pool, log);
        long before = c.get(1).localMember().incarnation();
        pool.fail("b", Duration.ZERO);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(MemberStatus.ALIVE, c.get(1).localMember().status(), "b never believes it failed");
        assertEquals(before + 1, c.get(1).localMember().incarnation());
        List<String> aboutB = log.stream().map(l -> l.split(" "))
                .filter(p -> p[1].equals("a") && p[3].equals("b")).map(p -> p[2]).toList();
        assertEquals(List.of("JOIN", "FAILED", "JOIN"), aboutB, "a saw b join, fail, and come back");
        assertEquals(MemberStatus.ALIVE, statusAt(c.get(0), "b"));
    }

    @Test
    void aRunningMemberThatIsForceLeftRefutesAndOnePrunedIsGoneEverywhere() {
        SimPool pool = pool(8);
        List<String> log = new ArrayList<>();
        List<Membership> c = cluster(pool, log);
        CompletableFuture<Void> left = c.get(0).forceLeave("b", false);
        sim.runFor(Duration.ofSeconds(1));
        assertTrue(left.isDone() && !left.isCompletedExceptionally());
        List<String> aboutB = log.stream().map(l -> l.split(" "))
                .filter(p -> p[1].equals("c") && p[3].equals("b")).map(p -> p[2]).toList();
        assertEquals(List.of("JOIN", "LEAVE", "JOIN"), aboutB, "c saw b join, be force-left, and come back");
        assertEquals(MemberStatus.ALIVE, statusAt(c.get(2), "b"));
        c.get(2).close();
        pool.fail("c", Duration.ZERO);
        sim.runFor(Duration.ofSeconds(1));
        CompletableFuture<Void> pruned = c.get(0).forceLeave("c", true);
        assertTrue(sim.runUntil(pruned::isDone, Duration.ofSeconds(1)));
        assertEquals(null, statusAt(c.get(0), "c"), "pruned on the node that asked once its call completes");
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(null, statusAt(c.get(1), "c"), "and soon everywhere");
        assertTrue(c.get(0).forceLeave("c", false).isCompletedExceptionally(), "a pruned member is unknown");
    }

    @Test
    void theSameSeedDeliversAtTheSameTimesAndAnotherSeedDoesNot() {
        List<String> first = run(11);
        List<String> again = run(11);
        List<String> other = run(12);
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    private List<String> run(long seed) {
        SimScheduler own = new SimScheduler();
        SimPool pool = SimPool.builder(own).seed(seed).propagation(Duration.ofMillis(1), Duration.ofMillis(200)).build();
        List<String> log = new ArrayList<>();
        pool.observe(log::add);
        List<Membership> views = new ArrayList<>();
        for (String n : List.of("a", "b", "c", "d")) {
            Membership m = pool.factory().create(new MembershipSetup(n, Pool.LAN, "127.0.0.1", 0, "127.0.0.1", Map.of()),
                    PluginConfig.empty(), TestContext.simulated(n, own, 1));
            m.subscribe(new MembershipListener() {
                @Override
                public void onMemberEvent(MemberEvent e) {
                    log.add(own.clock().nanos() + " " + n + " " + e.type() + " " + e.member().name());
                }
            });
            m.start();
            if (!views.isEmpty()) {
                assertEquals(1, m.join(List.of("127.0.0.1:" + SimPool.FIRST_PORT)).getNow(-1));
            }
            views.add(m);
        }
        views.get(3).close();
        pool.fail("d", Duration.ofMillis(500));
        own.runFor(Duration.ofSeconds(2));
        return log;
    }

    @Test
    void aRestartTakesTheNameOfAClosedViewWithAHigherIncarnationAndIsSeenAlive() {
        SimPool pool = pool(6);
        List<String> log = new ArrayList<>();
        List<Membership> c = cluster(pool, log);
        long old = c.get(2).localMember().incarnation();
        c.get(2).close();
        pool.fail("c", Duration.ZERO);
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(MemberStatus.FAILED, statusAt(c.get(0), "c"));
        Membership again = view(pool, "c", log);
        assertTrue(again.localMember().incarnation() > old);
        Member seed = c.get(0).localMember();
        assertEquals(1, again.join(List.of(seed.host() + ":" + seed.port())).getNow(-1));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(MemberStatus.ALIVE, statusAt(c.get(0), "c"));
        assertEquals(MemberStatus.ALIVE, statusAt(again, "a"));
    }

    @Test
    void aSecondRunningViewOfOneNameAndAWanSetupAreRefused() {
        SimPool pool = pool(7);
        view(pool, "a", new ArrayList<>());
        Membership twin = pool.factory().create(new MembershipSetup("a", Pool.LAN, "127.0.0.1", 0, "127.0.0.1",
                Map.of()), PluginConfig.empty(), TestContext.simulated("a", sim, 1));
        assertThrows(IllegalStateException.class, twin::start);
        assertThrows(IllegalArgumentException.class, () -> pool.factory().create(new MembershipSetup("w", Pool.WAN,
                "127.0.0.1", 0, "127.0.0.1", Map.of()), PluginConfig.empty(), TestContext.simulated("w", sim, 1)));
        assertThrows(IllegalArgumentException.class, () -> pool.fail("nobody", Duration.ZERO));
        assertEquals(List.of("a"), pool.names());
    }

    private static MemberStatus statusAt(Membership viewer, String name) {
        return viewer.members().stream().filter(m -> m.name().equals(name)).findFirst().map(Member::status)
                .orElse(null);
    }
    @Test
    void aCutViewMarksTheMemberFailedAfterTheDelayAndTheHealBringsItBackAtAHigherIncarnation() {
        SimPool pool = pool(3);
        List<String> log = new ArrayList<>();
        List<Membership> v = cluster(pool, log);
        sim.runFor(Duration.ofSeconds(1));
        long before = v.get(0).localMember().incarnation();
        pool.cut("a", "b", Duration.ofMillis(500));
        v.get(0).updateTags(Map.of("role", "node", "n", "1"));
        sim.runFor(Duration.ofSeconds(1));
        assertEquals(MemberStatus.FAILED, seenBy(v.get(1), "a").status(), "b no longer hears a");
        assertEquals("-", seenBy(v.get(1), "a").tags().getOrDefault("n", "-"), "a's news is held from b");
        assertEquals(MemberStatus.ALIVE, seenBy(v.get(2), "a").status(), "c still hears a");
        assertEquals(MemberStatus.ALIVE, seenBy(v.get(0), "b").status(), "the cut is one way");
        pool.heal();
        sim.runFor(Duration.ofSeconds(1));
        Member a = seenBy(v.get(1), "a");
        assertEquals(MemberStatus.ALIVE, a.status(), "a refuted");
        assertEquals("1", a.tags().get("n"), "the held news arrived");
        assertTrue(a.incarnation() > before + 1, "the refutation has a higher incarnation than the tags update");
    }

    @Test
    void aJoinAcrossACutReachesNoSeed() {
        SimPool pool = pool(4);
        List<String> log = new ArrayList<>();
        Membership a = view(pool, "a", log);
        Membership d = view(pool, "d", log);
        pool.cut("a", "d", Duration.ofSeconds(10));
        Member seed = a.localMember();
        CompletableFuture<Integer> joined = d.join(List.of(seed.host() + ":" + seed.port()));
        assertTrue(joined.isCompletedExceptionally());
        assertThrows(IllegalArgumentException.class, () -> pool.cut("a", "a", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> pool.cut("a", "nobody", Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> pool.cut("a", "d", Duration.ofMillis(-1)));
        pool.heal();
        assertEquals(1, d.join(List.of(seed.host() + ":" + seed.port())).getNow(-1), "after the heal it can");
    }

    private static Member seenBy(Membership viewer, String name) {
        return viewer.members().stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }
}
