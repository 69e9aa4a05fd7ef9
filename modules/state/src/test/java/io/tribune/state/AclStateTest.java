package io.tribune.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The ACL tables: policies, tokens, the one-time bootstrap and its reset, built-ins, snapshots, watches. */
class AclStateTest {
    static final String P1 = "aaaaaaaa-0000-0000-0000-000000000001";
    static final String P2 = "aaaaaaaa-0000-0000-0000-000000000002";
    static final String T1 = "bbbbbbbb-0000-0000-0000-000000000001";
    static final String T2 = "bbbbbbbb-0000-0000-0000-000000000002";

    static AclPolicy policy(String id, String name) {
        return new AclPolicy(id, name, "d", "key_prefix \"app/\" { policy = \"write\" }", List.of(), "h", 0, 0);
    }

    static AclToken token(String accessor, String secret, List<String> policies) {
        return new AclToken(accessor, secret, "t", policies, false, 1000, "h", "", "", 0, 0);
    }

    static String failure(CommandResult r) {
        return assertInstanceOf(CommandResult.Failed.class, r).message();
    }

    @Test
    void policiesAreStoredByIdWithUniqueNames() {
        Harness h = new Harness();
        assertEquals(new CommandResult.Done(), h.run(new Command.AclPolicySet(policy(P1, "app"))));
        long created = h.index;
        assertTrue(failure(h.run(new Command.AclPolicySet(policy(P2, "app")))).contains("already exists"));
        // rename keeps the create index and frees the old name
        assertEquals(new CommandResult.Done(), h.run(new Command.AclPolicySet(policy(P1, "app2"))));
        AclPolicy p = h.store.aclPolicy(P1).value().orElseThrow();
        assertEquals("app2", p.name());
        assertEquals(created, p.createIndex());
        assertEquals(h.index, p.modifyIndex());
        assertTrue(h.store.aclPolicyByName("app").value().isEmpty());
        assertEquals(P1, h.store.aclPolicyByName("app2").value().orElseThrow().id());
        assertEquals(new CommandResult.Done(), h.run(new Command.AclPolicySet(policy(P2, "app"))));
        assertEquals(List.of(P1, P2), h.store.aclPolicies().value().stream().map(AclPolicy::id).toList());
        assertEquals(new CommandResult.Bool(true), h.run(new Command.AclPolicyDelete(P1)));
        assertTrue(h.store.aclPolicy(P1).value().isEmpty());
        assertTrue(h.store.aclPolicyByName("app2").value().isEmpty());
        assertEquals(h.index, h.store.tableIndex(Table.ACL_POLICIES));
    }

    @Test
    void tokensNeedUniqueSecretsAndExistingPolicies() {
        Harness h = new Harness();
        h.run(new Command.AclPolicySet(policy(P1, "app")));
        assertTrue(failure(h.run(new Command.AclTokenSet(token(T1, "s1", List.of(P2))))).contains("cannot find policy"));
        assertEquals(new CommandResult.Done(), h.run(new Command.AclTokenSet(token(T1, "s1", List.of(P1)))));
        long created = h.index;
        assertTrue(failure(h.run(new Command.AclTokenSet(token(T2, "s1", List.of())))).contains("SecretID"));
        assertEquals(T1, h.store.aclTokenBySecret("s1").value().orElseThrow().accessorId());
        // an update keeps the create index and creation time, and may change the secret
        AclToken moved = new AclToken(T1, "s1b", "changed", List.of(), false, 5000, "h2", "", "", 0, 0);
        assertEquals(new CommandResult.Done(), h.run(new Command.AclTokenSet(moved)));
        AclToken t = h.store.aclToken(T1).value().orElseThrow();
        assertEquals(created, t.createIndex());
        assertEquals(1000, t.createTimeMillis());
        assertEquals("changed", t.description());
        assertTrue(h.store.aclTokenBySecret("s1").value().isEmpty());
        assertEquals(new CommandResult.Bool(true), h.run(new Command.AclTokenDelete(T1)));
        assertTrue(h.store.aclTokenBySecret("s1b").value().isEmpty());
        assertTrue(h.store.aclTokens().value().isEmpty());
    }

    @Test
    void bootstrapHappensOnceUnlessTheResetIndexMatches() {
        Harness h = new Harness();
        assertEquals(0, h.store.aclBootstrapIndex());
        assertEquals(new CommandResult.Done(), h.run(new Command.AclBootstrap(token(T1, "root", List.of()), 0)));
        long at = h.index;
        assertEquals(at, h.store.aclBootstrapIndex());
        String msg = failure(h.run(new Command.AclBootstrap(token(T2, "root2", List.of()), 0)));
        assertEquals("ACL bootstrap no longer allowed (reset index: " + at + ")", msg);
        assertTrue(failure(h.run(new Command.AclBootstrap(token(T2, "root2", List.of()), at + 7))).contains("reset"));
        assertTrue(h.store.aclToken(T2).value().isEmpty());
        // the reset procedure: the index written in the reset file allows one more bootstrap
        assertEquals(new CommandResult.Done(), h.run(new Command.AclBootstrap(token(T2, "root2", List.of()), at)));
        assertEquals(h.index, h.store.aclBootstrapIndex());
        assertTrue(h.store.aclToken(T2).value().isPresent());
        assertInstanceOf(CommandResult.Failed.class, h.run(new Command.AclBootstrap(token("c", "d", List.of()), at)));
    }

    @Test
    void initCreatesBuiltinsOnlyWhenMissing() {
        Harness h = new Harness();
        AclPolicy gm = policy(P1, "global-management");
        AclToken anon = token(T1, "anonymous", List.of());
        h.run(new Command.AclInit(gm, anon));
        long first = h.index;
        assertEquals(first, h.store.aclPolicy(P1).value().orElseThrow().createIndex());
        h.run(new Command.AclTokenSet(new AclToken(T1, "anonymous", "edited", List.of(), false, 0, "", "", "", 0, 0)));
        h.run(new Command.AclInit(gm, anon));
        assertEquals("edited", h.store.aclToken(T1).value().orElseThrow().description(), "init does not overwrite");
        assertEquals(first, h.store.aclPolicy(P1).value().orElseThrow().modifyIndex());
    }

    @Test
    void badCommandsAreRefusedBeforeAndAtApply() {
        assertTrue(CommandValidator.validate(new Command.AclPolicySet(policy(P1, "bad name!"))).isPresent());
        assertTrue(CommandValidator.validate(new Command.AclPolicySet(policy("", "ok"))).isPresent());
        assertTrue(CommandValidator.validate(new Command.AclTokenSet(new AclToken(T1, "s", "x".repeat(9000), List.of(),
                false, 0, "", "", "", 0, 0))).isPresent());
        assertTrue(CommandValidator.validate(new Command.AclTokenSet(new AclToken(T1, "s", "", List.of(), false, 0, "",
                "superuser", "", 0, 0))).isPresent());
        Harness h = new Harness();
        assertInstanceOf(CommandResult.Failed.class, h.run(new Command.AclPolicySet(policy(P1, ""))));
        assertTrue(h.store.aclPolicies().value().isEmpty());
    }

    @Test
    void commandsRoundTripThroughTheCodec() {
        List<Command> all = List.of(new Command.AclPolicySet(policy(P1, "app")), new Command.AclPolicyDelete(P1),
                new Command.AclTokenSet(new AclToken(T1, "s", "d", List.of(P1, P2), true, 7, "h", "client",
                        "key \"\" { policy = \"read\" }", 3, 4)),
                new Command.AclTokenDelete(T1), new Command.AclBootstrap(token(T1, "s", List.of()), 9),
                new Command.AclInit(policy(P1, "x"), token(T1, "s", List.of())));
        for (Command c : all) {
            assertEquals(c, Command.decode(c.encode()), c.getClass().getSimpleName());
            // tags are apart from every other command's
            assertTrue((c.encode()[1] & 0xff) >= 100, c.getClass().getSimpleName());
        }
    }

    @Test
    void snapshotCarriesAclTablesAndTheirIndexes() throws IOException {
        Harness h = new Harness();
        h.put("k", "v");
        h.run(new Command.AclPolicySet(policy(P1, "app")));
        h.run(new Command.AclBootstrap(token(T1, "root", List.of(P1)), 0));
        h.run(new Command.AclTokenSet(token(T2, "s2", List.of())));
        byte[] bytes = SnapshotTest.snapshotBytes(h.store);
        assertEquals(4, bytes[11], "the ACL format version");
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new ByteArrayInputStream(bytes));
        assertEquals(h.store.aclPolicies(), copy.aclPolicies());
        assertEquals(h.store.aclTokens(), copy.aclTokens());
        assertEquals(T1, copy.aclTokenBySecret("root").value().orElseThrow().accessorId());
        assertEquals(P1, copy.aclPolicyByName("app").value().orElseThrow().id());
        assertEquals(h.store.aclBootstrapIndex(), copy.aclBootstrapIndex());
        for (Table t : Table.values()) {
            assertEquals(h.store.tableIndex(t), copy.tableIndex(t), t.name());
        }
        assertArrayEquals(bytes, SnapshotTest.snapshotBytes(copy));
        // a corrupted ACL section is refused as a whole
        byte[] bad = bytes.clone();
        bad[bad.length - 10] ^= 1;
        assertThrows(IOException.class, () -> new StateStore(Runnable::run).restore(h.index, 1,
                new ByteArrayInputStream(bad)));
    }

    @Test
    void aclWritesWakeWatchersOfTheirTableOnly() {
        Harness h = new Harness();
        h.run(new Command.AclPolicySet(policy(P1, "app")));
        CompletableFuture<Long> tokens = h.store.watch(WatchTarget.table(Table.ACL_TOKENS), h.index);
        CompletableFuture<Long> policies = h.store.watch(WatchTarget.table(Table.ACL_POLICIES), h.index);
        h.run(new Command.AclTokenSet(token(T1, "s", List.of())));
        h.drain();
        assertTrue(tokens.isDone());
        assertFalse(policies.isDone());
        assertEquals(h.index, tokens.join());
    }

    static final String GM = "00000000-0000-0000-0000-000000000001";

    @Test
    void replicatedPoliciesKeepThePrimarysIdsAndReplaceWhatVanished() {
        Harness h = new Harness();
        h.run(new Command.AclPolicySet(policy(GM, "global-management")));
        h.run(new Command.AclPolicySet(policy(P1, "mine")));
        h.run(new Command.AclPolicySet(policy("old", "old")));
        // the primary has P2 under the name "mine" (ours is stale), deletes "old" and, wrongly, the built-in
        assertEquals(new CommandResult.Done(), h.run(new Command.AclReplicatePolicies(
                List.of(policy(P2, "mine"), policy("p3", "other")), List.of("old", GM, "never-existed"))));
        long at = h.index;
        assertEquals(List.of(GM, P2, "p3"), h.store.aclPolicies().value().stream().map(AclPolicy::id).sorted().toList());
        assertEquals(P2, h.store.aclPolicyByName("mine").value().orElseThrow().id());
        assertEquals(at, h.store.aclPolicy(P2).value().orElseThrow().createIndex());
        assertEquals(at, h.store.tableIndex(Table.ACL_POLICIES));
        // an update keeps the create index
        AclPolicy changed = new AclPolicy(P2, "mine", "new text", "", List.of("dc2"), "h2", 0, 0);
        h.run(new Command.AclReplicatePolicies(List.of(changed), List.of()));
        AclPolicy p = h.store.aclPolicy(P2).value().orElseThrow();
        assertEquals("new text", p.description());
        assertEquals(at, p.createIndex());
        assertEquals(h.index, p.modifyIndex());
    }

    @Test
    void replicatedTokensNeverTouchLocalOnes() {
        Harness h = new Harness();
        AclToken local = new AclToken(T1, "local-secret", "local", List.of(), true, 1, "h", "", "", 0, 0);
        h.run(new Command.AclTokenSet(local));
        h.run(new Command.AclTokenSet(token("g-old", "g-old-secret", List.of())));
        h.run(new Command.AclTokenSet(token("g-dup", "shared", List.of())));
        AclToken global = token(T2, "s2", List.of("no-such-policy"));
        AclToken sameAccessorAsLocal = token(T1, "other", List.of());
        AclToken sameSecretAsLocal = token("x", "local-secret", List.of());
        AclToken takesSecret = token("g-new", "shared", List.of());
        assertEquals(new CommandResult.Done(), h.run(new Command.AclReplicateTokens(
                List.of(global, sameAccessorAsLocal, sameSecretAsLocal, takesSecret), List.of(T1, "g-old"))));
        assertEquals(local, h.store.aclToken(T1).value().orElseThrow().withIndexes(1, 0, 0),
                "a local token is neither replaced nor deleted");
        assertTrue(h.store.aclToken("g-old").value().isEmpty());
        assertTrue(h.store.aclToken("x").value().isEmpty(), "a local token's secret is not taken");
        assertTrue(h.store.aclToken("g-dup").value().isEmpty(), "the primary's holder of a secret wins");
        assertEquals("g-new", h.store.aclTokenBySecret("shared").value().orElseThrow().accessorId());
        assertEquals(List.of("no-such-policy"), h.store.aclToken(T2).value().orElseThrow().policyIds(),
                "dangling links are kept as the primary keeps them");
    }

    @Test
    void replicationBatchesAreBoundedAndCarryNoLocalTokens() {
        List<String> many = java.util.stream.IntStream.range(0, io.tribune.state.internal.AclOps.MAX_REPLICATION_BATCH + 1)
                .mapToObj(i -> "id" + i).toList();
        assertTrue(CommandValidator.validate(new Command.AclReplicatePolicies(List.of(), many)).isPresent());
        assertTrue(CommandValidator.validate(new Command.AclReplicateTokens(List.of(), many)).isPresent());
        assertTrue(CommandValidator.validate(new Command.AclReplicateTokens(List.of(new AclToken(T1, "s", "", List.of(),
                true, 0, "", "", "", 0, 0)), List.of())).orElseThrow().contains("local"));
        assertTrue(CommandValidator.validate(new Command.AclReplicatePolicies(List.of(policy(P1, "bad name!")),
                List.of())).isPresent());
        Command.AclReplicateTokens ok = new Command.AclReplicateTokens(List.of(token(T1, "s", List.of(P1))),
                List.of(T2));
        assertEquals(ok, Command.decode(ok.encode()));
        Command.AclReplicatePolicies okp = new Command.AclReplicatePolicies(List.of(policy(P1, "a")), List.of(P2));
        assertEquals(okp, Command.decode(okp.encode()));
    }
}
