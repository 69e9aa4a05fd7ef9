package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.StateStore;
import io.tribune.testkit.SimScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The replicator's state machine on virtual time: a fake primary that answers blocking queries as
 * a server does, and a real state store as the secondary.
 */
class AclReplicatorTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    /** The primary: lists with an index per table; blocking queries wait for a change or their wait. */
    final class FakePrimary implements AclReplicator.Primary {
        final Map<String, AclPolicy> policies = new TreeMap<>();
        final Map<String, AclToken> tokens = new TreeMap<>();
        long policyIndex = 1;
        long tokenIndex = 1;
        boolean down;
        boolean hideSecrets;
        final List<Long> policyQueries = new ArrayList<>();
        /** Virtual milliseconds of each policy query. */
        final List<Long> policyQueryMillis = new ArrayList<>();
        final List<Long> tokenQueries = new ArrayList<>();
        private final List<Runnable> waiting = new ArrayList<>();

        void putPolicy(AclPolicy p) {
            policies.put(p.id(), p);
            policyIndex++;
            wake();
        }

        void putToken(AclToken t) {
            tokens.put(t.accessorId(), t);
            tokenIndex++;
            wake();
        }

        void deleteToken(String id) {
            tokens.remove(id);
            tokenIndex++;
            wake();
        }

        private void wake() {
            List<Runnable> w = new ArrayList<>(waiting);
            waiting.clear();
            w.forEach(Runnable::run);
        }

        @Override
        public CompletableFuture<Response<List<AclPolicy>>> policies(long minIndex, Duration wait) {
            policyQueries.add(minIndex);
            policyQueryMillis.add(scheduler.clock().nanos() / 1_000_000);
            return answer(minIndex, wait, () -> policyIndex, () -> List.copyOf(policies.values()));
        }

        @Override
        public CompletableFuture<Response<List<Acl.TokenInfo>>> tokens(long minIndex, Duration wait) {
            tokenQueries.add(minIndex);
            return answer(minIndex, wait, () -> tokenIndex, () -> {
                List<Acl.TokenInfo> out = new ArrayList<>();
                tokens.values().forEach(t -> out.add(new Acl.TokenInfo(hideSecrets ? AclEnforcer.redact(
                        new Acl.TokenInfo(t, List.of())).token() : t, List.of())));
                return out;
            });
        }

        private <T> CompletableFuture<Response<T>> answer(long minIndex, Duration wait,
                                                          java.util.function.LongSupplier index,
                                                          java.util.function.Supplier<T> value) {
            CompletableFuture<Response<T>> f = new CompletableFuture<>();
            Runnable reply = () -> {
                if (down) {
                    f.completeExceptionally(new AgentException(AgentException.Kind.NO_PATH_TO_DATACENTER,
                            "No path to datacenter"));
                } else {
                    f.complete(new Response<>(value.get(), new Response.Meta(index.getAsLong(), true, Duration.ZERO,
                            ReadConsistency.DEFAULT, false, Duration.ZERO)));
                }
            };
            if (down) {
                reply.run();
                return f;
            }
            if (index.getAsLong() > minIndex) {
                reply.run();
            } else {
                waiting.add(reply);
                scheduler.schedule(wait, reply);
            }
            return f;
        }
    }

    /** The secondary: a state store that applies what the replicator proposes, at increasing indexes. */
    final class Secondary implements AclReplicator.Local {
        final StateStore store = new StateStore(Runnable::run);
        long index;
        int applied;
        boolean refuse;

        @Override
        public List<AclPolicy> policies() {
            return store.aclPolicies().value();
        }

        @Override
        public List<AclToken> tokens() {
            return store.aclTokens().value();
        }

        @Override
        public CompletableFuture<Void> apply(Command c) {
            if (refuse) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_LEADER, "not leader"));
            }
            applied++;
            CommandResult r = store.apply(++index, c);
            return r instanceof CommandResult.Failed f ? CompletableFuture.failedFuture(new IllegalStateException(
                    f.message())) : CompletableFuture.completedFuture(null);
        }

        void setLocal(AclToken t) {
            store.apply(++index, new Command.AclTokenSet(t));
        }
    }

    final SimScheduler scheduler = new SimScheduler();
    final FakePrimary primary = new FakePrimary();
    final Secondary secondary = new Secondary();

    AclReplicator replicator(boolean tokens) {
        return new AclReplicator("dc1", primary, secondary, scheduler.clock(), scheduler,
                new AclReplicator.Settings(1.0, 5, WAIT, tokens));
    }

    static AclPolicy policy(String id, String rules) {
        return new AclPolicy(id, "n-" + id, "", rules, List.of(), "h", 0, 0);
    }

    static AclToken token(String id, boolean local) {
        return new AclToken(id, "secret-" + id, "", List.of("p1"), local, 5, "h", "", "", 0, 0);
    }

    @Test
    void copiesPoliciesAndGlobalTokensAndLeavesLocalTokensAlone() {
        primary.putPolicy(policy("p1", "a"));
        primary.putToken(token("g1", false));
        primary.putToken(token("theirs-local", true));
        secondary.setLocal(new AclToken("mine", "secret-mine", "", List.of(), true, 5, "h", "", "", 0, 0));
        AclReplicator r = replicator(true);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        assertEquals(List.of("p1"), secondary.policies().stream().map(AclPolicy::id).toList());
        assertEquals(List.of("g1", "mine"), secondary.tokens().stream().map(AclToken::accessorId).sorted().toList());
        assertEquals("secret-g1", secondary.store.aclToken("g1").value().orElseThrow().secretId(),
                "the primary's IDs and secrets are kept");
        Acl.Replication s = r.status();
        assertTrue(s.enabled() && s.running());
        assertEquals("dc1", s.sourceDatacenter());
        assertEquals("tokens", s.replicationType());
        assertEquals(primary.policyIndex, s.replicatedIndex());
        assertEquals(primary.tokenIndex, s.replicatedTokenIndex());
        assertEquals(io.tribune.testkit.VirtualClock.EPOCH_WALL_MILLIS, s.lastSuccessMillis(), "at the start");
        assertEquals(0, s.lastErrorMillis());

        // a change in the primary wakes the blocking query; a deleted global token goes, the local one stays
        int before = secondary.applied;
        primary.putPolicy(policy("p1", "changed"));
        primary.deleteToken("g1");
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals("changed", secondary.store.aclPolicy("p1").value().orElseThrow().rules());
        assertEquals(List.of("mine"), secondary.tokens().stream().map(AclToken::accessorId).toList());
        assertEquals(before + 2, secondary.applied, "one command per change, nothing for rounds without changes");
        assertEquals(primary.tokenIndex, r.status().replicatedTokenIndex());
    }

    @Test
    void withoutTokenReplicationOnlyPoliciesAreCopied() {
        primary.putPolicy(policy("p1", "a"));
        primary.putToken(token("g1", false));
        AclReplicator r = replicator(false);
        r.start();
        scheduler.runFor(Duration.ofSeconds(1));
        assertEquals(1, secondary.policies().size());
        assertTrue(secondary.tokens().isEmpty());
        assertTrue(primary.tokenQueries.isEmpty());
        assertEquals("policies", r.status().replicationType());
        assertEquals(0, r.status().replicatedTokenIndex());
    }

    @Test
    void anUnreachablePrimaryIsRetriedWithBackoffAndWhatWasCopiedStays() {
        primary.putPolicy(policy("p1", "a"));
        AclReplicator r = replicator(false);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        long copied = r.status().replicatedIndex();
        primary.down = true;
        long start = scheduler.clock().nanos() / 1_000_000;
        primary.policyQueryMillis.clear();
        primary.putPolicy(policy("p2", "b"));  // the held query fails: the primary is gone
        scheduler.runFor(Duration.ofSeconds(40));
        List<Long> at = primary.policyQueryMillis.stream().map(m -> m - start).toList();
        // waits of 1, 2, 4, 8 s, then at most 10 s: tries at 1, 3, 7, 15, 25, 35 s
        assertEquals(List.of(1000L, 3000L, 7000L, 15000L, 25000L, 35000L), at);
        Acl.Replication s = r.status();
        assertTrue(s.running());
        assertTrue(s.lastErrorMillis() > s.lastSuccessMillis());
        assertTrue(s.lastErrorMessage().contains("No path to datacenter"), s.lastErrorMessage());
        assertEquals(copied, s.replicatedIndex(), "nothing new was replicated");
        assertEquals(List.of("p1"), secondary.policies().stream().map(AclPolicy::id).toList(), "what was copied stays");
        primary.down = false;
        scheduler.runFor(Duration.ofSeconds(11));
        assertEquals(List.of("p1", "p2"), secondary.policies().stream().map(AclPolicy::id).toList());
        assertTrue(r.status().lastSuccessMillis() > s.lastErrorMillis());
    }

    @Test
    void roundsAreRateLimited() {
        AclReplicator r = new AclReplicator("dc1", primary, secondary, scheduler.clock(), scheduler,
                new AclReplicator.Settings(2.0, 3, WAIT, false));
        r.start();
        // a primary that changes faster than the limit: every query finds something new
        scheduler.scheduleWithFixedDelay(Duration.ZERO, Duration.ofMillis(10), () -> primary.putPolicy(policy("p",
                Long.toString(primary.policyIndex))));
        scheduler.runFor(Duration.ofSeconds(10));
        int rounds = primary.policyQueries.size();
        // a burst of 3, then 2 a second for 10 s
        assertTrue(rounds >= 20 && rounds <= 3 + 20 + 1, "rounds: " + rounds);
    }

    @Test
    void stopIgnoresAnswersUnderWayAndARestartGoesOnFromTheLastIndex() {
        primary.putPolicy(policy("p1", "a"));
        AclReplicator r = replicator(false);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        long copied = r.status().replicatedIndex();
        assertEquals(copied, primary.policyQueries.get(primary.policyQueries.size() - 1), "held from the copied index");
        r.stop();
        assertFalse(r.status().running());
        int applied = secondary.applied;
        primary.putPolicy(policy("p2", "b"));  // answers the held query of the stopped replicator
        scheduler.runFor(Duration.ofSeconds(120));
        assertEquals(applied, secondary.applied, "a stopped replicator applies nothing");
        assertEquals(copied, r.status().replicatedIndex());
        int queries = primary.policyQueries.size();
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        assertEquals(copied, primary.policyQueries.get(queries), "a restart asks from the last replicated index");
        assertEquals(List.of("p1", "p2"), secondary.policies().stream().map(AclPolicy::id).toList());
    }

    @Test
    void aFailedApplyIsNotCountedAsReplicated() {
        primary.putPolicy(policy("p1", "a"));
        secondary.refuse = true;
        AclReplicator r = replicator(false);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        assertEquals(0, r.status().replicatedIndex());
        assertTrue(r.status().lastErrorMessage().contains("not leader"));
        secondary.refuse = false;
        scheduler.runFor(Duration.ofSeconds(2));
        assertEquals(primary.policyIndex, r.status().replicatedIndex());
    }

    @Test
    void anIndexThatGoesBackStartsOver() {
        primary.putPolicy(policy("p1", "a"));
        AclReplicator r = replicator(false);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        // the primary is rebuilt: a lower index and other data
        assertEquals(2, r.status().replicatedIndex());
        primary.policies.clear();
        primary.policyIndex = 0;
        primary.putPolicy(policy("q1", "b"));
        scheduler.runFor(Duration.ofSeconds(1));
        assertEquals(List.of(0L, 2L, 0L, 1L), primary.policyQueries, "asked again from 0");
        assertEquals(List.of("q1"), secondary.policies().stream().map(AclPolicy::id).toList());
        assertEquals(1, r.status().replicatedIndex());
    }

    @Test
    void hiddenSecretsAreAnErrorAndChangeNothing() {
        primary.putToken(token("g1", false));
        primary.hideSecrets = true;
        AclReplicator r = replicator(true);
        r.start();
        scheduler.runFor(Duration.ofMillis(1));
        assertTrue(secondary.tokens().isEmpty());
        assertTrue(r.status().lastErrorMessage().contains("acl = \"write\""), r.status().lastErrorMessage());
        assertEquals(0, r.status().replicatedTokenIndex());
    }
}
