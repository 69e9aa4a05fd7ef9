package io.tribune.agent.acl;

import io.tribune.acl.Builtins;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a secondary datacenter must change to hold what the primary holds, and the Raft commands
 * that change it: pure functions of the two lists, deterministic (objects in ID order), so the
 * replicator's decisions can be tested with tables.
 *
 * <p>Objects are compared by content, every field but the indexes (which are each datacenter's
 * own Raft indexes): an object that differs is upserted under the primary's ID, one the primary
 * no longer has is deleted. Local tokens are out of it on both sides: the primary's never leave
 * it, the secondary's are never touched. The built-in global-management policy is never deleted.
 *
 * <p>Stateless and thread-safe.
 */
public final class AclReplicationDiff {
    /** Most objects per command (well under the state's bound of 1,024 per replication command). */
    public static final int MAX_BATCH_OBJECTS = 256;
    /**
     * Most bytes of text per command, estimated from the objects' strings: 512 KiB, so that a
     * command stays far below the transport's message limit while one policy of the largest
     * rules (128 KiB) still fits.
     */
    public static final int MAX_BATCH_BYTES = 512 * 1024;

    private AclReplicationDiff() {
    }

    /**
     * The changes of one kind of object.
     *
     * @param upserts objects to store, in ID order
     * @param deletes IDs to remove, in order
     */
    public record Plan<T>(List<T> upserts, List<String> deletes) {
        public Plan {
            upserts = List.copyOf(upserts);
            deletes = List.copyOf(deletes);
        }

        /** Whether nothing changes. */
        public boolean isEmpty() {
            return upserts.isEmpty() && deletes.isEmpty();
        }
    }

    /** The policy changes that make {@code local} equal to {@code remote}. */
    public static Plan<AclPolicy> policies(List<AclPolicy> local, List<AclPolicy> remote) {
        Map<String, AclPolicy> here = new TreeMap<>();
        local.forEach(p -> here.put(p.id(), p));
        Map<String, AclPolicy> there = new TreeMap<>();
        remote.forEach(p -> there.put(p.id(), p));
        List<AclPolicy> upserts = new ArrayList<>();
        there.forEach((id, p) -> {
            AclPolicy mine = here.get(id);
            if (mine == null || !mine.withIndexes(0, 0).equals(p.withIndexes(0, 0))) {
                upserts.add(p);
            }
        });
        List<String> deletes = new ArrayList<>();
        here.keySet().forEach(id -> {
            if (!there.containsKey(id) && !id.equals(Builtins.GLOBAL_MANAGEMENT_ID)) {
                deletes.add(id);
            }
        });
        return new Plan<>(upserts, deletes);
    }

    /**
     * The global-token changes that make the global tokens of {@code local} equal to those of
     * {@code remote}; local tokens of either side are ignored.
     *
     * @throws IllegalArgumentException when a remote global token's secret is hidden (the
     *                                  replication token may read tokens but not their secrets)
     */
    public static Plan<AclToken> tokens(List<AclToken> local, List<AclToken> remote) {
        Map<String, AclToken> here = new TreeMap<>();
        local.forEach(t -> {
            if (!t.local()) {
                here.put(t.accessorId(), t);
            }
        });
        Map<String, AclToken> there = new TreeMap<>();
        for (AclToken t : remote) {
            if (t.local()) {
                continue;
            }
            if (t.secretId().equals(AclEnforcer.HIDDEN_SECRET)) {
                throw new IllegalArgumentException("the replication token may not read token secrets of the primary "
                        + "datacenter: token replication needs acl = \"write\"");
            }
            there.put(t.accessorId(), t);
        }
        List<AclToken> upserts = new ArrayList<>();
        there.forEach((id, t) -> {
            AclToken mine = here.get(id);
            if (mine == null || !content(mine).equals(content(t))) {
                upserts.add(t);
            }
        });
        List<String> deletes = new ArrayList<>();
        here.keySet().forEach(id -> {
            if (!there.containsKey(id)) {
                deletes.add(id);
            }
        });
        return new Plan<>(upserts, deletes);
    }

    private static AclToken content(AclToken t) {
        return t.withIndexes(t.createTimeMillis(), 0, 0);
    }

    /**
     * The commands of {@code plan}: deletes first (they free names and secrets the upserts may
     * take), each command at most {@value #MAX_BATCH_OBJECTS} objects and about
     * {@value #MAX_BATCH_BYTES} bytes (a single larger object gets a command of its own).
     */
    public static List<Command> policyCommands(Plan<AclPolicy> plan) {
        List<Command> out = new ArrayList<>();
        Batcher<AclPolicy> b = new Batcher<>();
        plan.deletes().forEach(id -> b.delete(id, out, Command.AclReplicatePolicies::new));
        plan.upserts().forEach(p -> b.upsert(p, bytes(p.id(), p.name(), p.description(), p.rules(), p.hash())
                + 64L * p.datacenters().size(), out, Command.AclReplicatePolicies::new));
        b.flush(out, Command.AclReplicatePolicies::new);
        return out;
    }

    /** As {@link #policyCommands} for tokens. */
    public static List<Command> tokenCommands(Plan<AclToken> plan) {
        List<Command> out = new ArrayList<>();
        Batcher<AclToken> b = new Batcher<>();
        plan.deletes().forEach(id -> b.delete(id, out, Command.AclReplicateTokens::new));
        plan.upserts().forEach(t -> b.upsert(t, bytes(t.accessorId(), t.secretId(), t.description(), t.hash(),
                t.legacyType(), t.legacyRules()) + 64L * t.policyIds().size(), out, Command.AclReplicateTokens::new));
        b.flush(out, Command.AclReplicateTokens::new);
        return out;
    }

    private static long bytes(String... parts) {
        long n = 0;
        for (String s : parts) {
            n += s.getBytes(StandardCharsets.UTF_8).length + 8;
        }
        return n;
    }

    /** Fills commands up to the bounds. */
    private static final class Batcher<T> {
        private final List<T> upserts = new ArrayList<>();
        private final List<String> deletes = new ArrayList<>();
        private long size;

        interface Make<T> {
            Command make(List<T> upserts, List<String> deletes);
        }

        void delete(String id, List<Command> out, Make<T> make) {
            add(id.length() + 8L, out, make);
            deletes.add(id);
        }

        void upsert(T x, long bytes, List<Command> out, Make<T> make) {
            add(bytes, out, make);
            upserts.add(x);
        }

        private void add(long bytes, List<Command> out, Make<T> make) {
            int n = upserts.size() + deletes.size();
            if (n > 0 && (n >= MAX_BATCH_OBJECTS || size + bytes > MAX_BATCH_BYTES)) {
                flush(out, make);
            }
            size += bytes;
        }

        void flush(List<Command> out, Make<T> make) {
            if (!upserts.isEmpty() || !deletes.isEmpty()) {
                out.add(make.make(List.copyOf(upserts), List.copyOf(deletes)));
            }
            upserts.clear();
            deletes.clear();
            size = 0;
        }
    }
}
