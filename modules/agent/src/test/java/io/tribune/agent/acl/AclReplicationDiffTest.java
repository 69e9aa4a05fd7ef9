package io.tribune.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.acl.Builtins;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a secondary changes to match the primary, and how the changes are cut into commands. */
class AclReplicationDiffTest {
    static AclPolicy policy(String id, String rules, long index) {
        return new AclPolicy(id, "n-" + id, "", rules, List.of(), "h-" + rules, index, index);
    }

    static AclToken token(String id, boolean local, long index) {
        return new AclToken(id, "secret-" + id, "", List.of("p1"), local, 7, "h", "", "", index, index);
    }

    @Test
    void policiesAreComparedByContentNotByTheirIndexes() {
        List<AclPolicy> local = List.of(policy("same", "a", 3), policy("changed", "old", 4), policy("gone", "x", 5),
                policy(Builtins.GLOBAL_MANAGEMENT_ID, "gm", 1));
        List<AclPolicy> remote = List.of(policy("new", "b", 90), policy("changed", "new", 91), policy("same", "a", 70));
        AclReplicationDiff.Plan<AclPolicy> plan = AclReplicationDiff.policies(local, remote);
        assertEquals(List.of("changed", "new"), plan.upserts().stream().map(AclPolicy::id).toList(),
                "the differing and the missing, in ID order, not the one whose indexes alone differ");
        assertEquals(List.of("gone"), plan.deletes(), "the built-in global-management is never deleted");
        assertTrue(AclReplicationDiff.policies(remote, remote).isEmpty());
    }

    @Test
    void localTokensStayOutOnBothSides() {
        List<AclToken> local = List.of(token("mine", true, 1), token("g1", false, 2), token("g-gone", false, 3));
        List<AclToken> remote = List.of(token("g1", false, 40), token("theirs-local", true, 41), token("g2", false, 42));
        AclReplicationDiff.Plan<AclToken> plan = AclReplicationDiff.tokens(local, remote);
        assertEquals(List.of("g2"), plan.upserts().stream().map(AclToken::accessorId).toList());
        assertEquals(List.of("g-gone"), plan.deletes(), "the secondary's local token is not deleted");
    }

    @Test
    void hiddenSecretsMeanTheReplicationTokenCannotReplicateTokens() {
        AclToken hidden = new AclToken("g1", AclEnforcer.HIDDEN_SECRET, "", List.of(), false, 0, "", "", "", 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AclReplicationDiff.tokens(List.of(), List.of(hidden)));
        assertTrue(e.getMessage().contains("acl = \"write\""), e.getMessage());
    }

    @Test
    void commandsPutDeletesFirstAndStayWithinTheirBounds() {
        List<AclPolicy> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(policy(String.format("p%04d", i), "r", 1));
        }
        List<Command> cmds = AclReplicationDiff.policyCommands(new AclReplicationDiff.Plan<>(many, List.of("d1", "d2")));
        assertEquals(3, cmds.size());
        Command.AclReplicatePolicies first = (Command.AclReplicatePolicies) cmds.get(0);
        assertEquals(List.of("d1", "d2"), first.deletes());
        int total = 0;
        for (Command c : cmds) {
            Command.AclReplicatePolicies p = (Command.AclReplicatePolicies) c;
            assertTrue(p.upserts().size() + p.deletes().size() <= AclReplicationDiff.MAX_BATCH_OBJECTS);
            total += p.upserts().size();
        }
        assertEquals(600, total);
        // five policies of 128 KiB of rules: three fit in 512 KiB of text, so two commands
        String big = "k".repeat(128 * 1024);
        List<AclPolicy> large = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            large.add(new AclPolicy("big" + i, "big" + i, "", big, List.of(), "h", 1, 1));
        }
        List<Command> bigCmds = AclReplicationDiff.policyCommands(new AclReplicationDiff.Plan<>(large, List.of()));
        assertEquals(2, bigCmds.size());
        assertEquals(3, ((Command.AclReplicatePolicies) bigCmds.get(0)).upserts().size());
        assertTrue(AclReplicationDiff.tokenCommands(new AclReplicationDiff.Plan<>(List.of(), List.of())).isEmpty());
    }
}
