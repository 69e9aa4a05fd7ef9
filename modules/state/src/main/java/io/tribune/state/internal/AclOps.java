package io.tribune.state.internal;

import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Change;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Table;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Applies and validates the ACL commands ({@link Command.AclCommand}). Pure functions of the
 * working state and the command, like every apply.
 */
public final class AclOps {
    /** Most policies stored. */
    public static final int MAX_POLICIES = 16_384;
    /** Most tokens stored. */
    public static final int MAX_TOKENS = 1 << 20;
    /** Longest policy name: 128 characters of {@code [A-Za-z0-9_-]}, as Consul. */
    public static final int MAX_POLICY_NAME = 128;
    /** Longest ID, SecretID, legacy type, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Longest description, in UTF-8 bytes. */
    public static final int MAX_DESCRIPTION_BYTES = 8 * 1024;
    /** Longest rules text, in UTF-8 bytes. */
    public static final int MAX_RULES_BYTES = 128 * 1024;
    /** Most datacenters of a policy, and policies linked by a token. */
    public static final int MAX_LINKS = 256;
    /** Most objects (upserts and deletes together) of one replication command. */
    public static final int MAX_REPLICATION_BATCH = 1024;
    /** The built-in global-management policy, which replication never deletes. */
    static final String GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001";

    private static final Pattern POLICY_NAME = Pattern.compile("[A-Za-z0-9\\-_]{1," + MAX_POLICY_NAME + "}");

    private AclOps() {
    }

    /** Applies {@code c} to {@code tx}. */
    static CommandResult apply(Tx tx, Command.AclCommand c) {
        AclTables a = tx.acl;
        if (c instanceof Command.AclPolicySet s) {
            AclPolicy p = s.policy();
            String holder = a.policyNames.get(p.name());
            if (holder != null && !holder.equals(p.id())) {
                return invalid("Invalid Policy: A Policy with Name \"" + p.name() + "\" already exists");
            }
            AclPolicy old = a.policies.get(p.id());
            if (old == null && a.policies.size() >= MAX_POLICIES) {
                return invalid("too many ACL policies (" + MAX_POLICIES + ")");
            }
            tx.acl = a.withPolicy(p.withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
            tx.emit(new Change(tx.index, Table.ACL_POLICIES, Change.Op.UPSERT, p.id(), "", ""));
            return new CommandResult.Done();
        } else if (c instanceof Command.AclPolicyDelete d) {
            if (a.policies.containsKey(d.id())) {
                tx.acl = a.withoutPolicy(d.id());
                tx.emit(new Change(tx.index, Table.ACL_POLICIES, Change.Op.DELETE, d.id(), "", ""));
            }
            return new CommandResult.Bool(true);
        } else if (c instanceof Command.AclTokenSet s) {
            return setToken(tx, s.token());
        } else if (c instanceof Command.AclTokenDelete d) {
            if (a.tokens.containsKey(d.accessorId())) {
                tx.acl = a.withoutToken(d.accessorId());
                tx.emit(new Change(tx.index, Table.ACL_TOKENS, Change.Op.DELETE, d.accessorId(), "", ""));
            }
            return new CommandResult.Bool(true);
        } else if (c instanceof Command.AclBootstrap b) {
            if (a.bootstrapIndex != 0 && b.resetIndex() != a.bootstrapIndex) {
                return new CommandResult.Failed(CommandResult.Failed.Kind.REJECTED,
                        "ACL bootstrap no longer allowed (reset index: " + a.bootstrapIndex + ")");
            }
            CommandResult r = setToken(tx, b.token());
            if (r instanceof CommandResult.Failed) {
                return r;
            }
            tx.acl = tx.acl.withBootstrapIndex(tx.index);
            return r;
        } else if (c instanceof Command.AclInit i) {
            if (!a.policies.containsKey(i.policy().id()) && !a.policyNames.containsKey(i.policy().name())) {
                tx.acl = tx.acl.withPolicy(i.policy().withIndexes(tx.index, tx.index));
                tx.emit(new Change(tx.index, Table.ACL_POLICIES, Change.Op.UPSERT, i.policy().id(), "", ""));
            }
            if (!tx.acl.tokens.containsKey(i.token().accessorId()) && !tx.acl.secrets.containsKey(i.token().secretId())) {
                tx.acl = tx.acl.withToken(i.token().withIndexes(i.token().createTimeMillis(), tx.index, tx.index));
                tx.emit(new Change(tx.index, Table.ACL_TOKENS, Change.Op.UPSERT, i.token().accessorId(), "", ""));
            }
            return new CommandResult.Done();
        } else if (c instanceof Command.AclReplicatePolicies rp) {
            replicatePolicies(tx, rp);
            return new CommandResult.Done();
        } else if (c instanceof Command.AclReplicateTokens rt) {
            replicateTokens(tx, rt);
            return new CommandResult.Done();
        }
        throw new IllegalStateException("unknown ACL command " + c.getClass().getSimpleName());
    }

    private static void replicatePolicies(Tx tx, Command.AclReplicatePolicies c) {
        for (String id : c.deletes()) {
            if (!id.equals(GLOBAL_MANAGEMENT_ID)) {
                deletePolicy(tx, id);
            }
        }
        for (AclPolicy p : c.upserts()) {
            String holder = tx.acl.policyNames.get(p.name());
            if (holder != null && !holder.equals(p.id())) {
                // The primary names it so; a policy of ours under that name is stale and would vanish anyway.
                deletePolicy(tx, holder);
            }
            AclPolicy old = tx.acl.policies.get(p.id());
            if (old == null && tx.acl.policies.size() >= MAX_POLICIES) {
                continue;
            }
            tx.acl = tx.acl.withPolicy(p.withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
            tx.emit(new Change(tx.index, Table.ACL_POLICIES, Change.Op.UPSERT, p.id(), "", ""));
        }
    }

    private static void deletePolicy(Tx tx, String id) {
        if (tx.acl.policies.containsKey(id)) {
            tx.acl = tx.acl.withoutPolicy(id);
            tx.emit(new Change(tx.index, Table.ACL_POLICIES, Change.Op.DELETE, id, "", ""));
        }
    }

    private static void replicateTokens(Tx tx, Command.AclReplicateTokens c) {
        for (String accessor : c.deletes()) {
            AclToken old = tx.acl.tokens.get(accessor);
            if (old != null && !old.local()) {
                deleteToken(tx, accessor);
            }
        }
        for (AclToken t : c.upserts()) {
            AclToken old = tx.acl.tokens.get(t.accessorId());
            if (old != null && old.local()) {
                continue;
            }
            String holder = tx.acl.secrets.get(t.secretId());
            if (holder != null && !holder.equals(t.accessorId())) {
                if (tx.acl.tokens.get(holder).local()) {
                    continue;
                }
                deleteToken(tx, holder);
            }
            if (old == null && tx.acl.tokens.size() >= MAX_TOKENS) {
                continue;
            }
            AclToken stored = old == null ? t.withIndexes(t.createTimeMillis(), tx.index, tx.index)
                    : t.withIndexes(t.createTimeMillis(), old.createIndex(), tx.index);
            tx.acl = tx.acl.withToken(stored);
            tx.emit(new Change(tx.index, Table.ACL_TOKENS, Change.Op.UPSERT, t.accessorId(), "", ""));
        }
    }

    private static void deleteToken(Tx tx, String accessor) {
        tx.acl = tx.acl.withoutToken(accessor);
        tx.emit(new Change(tx.index, Table.ACL_TOKENS, Change.Op.DELETE, accessor, "", ""));
    }

    private static CommandResult setToken(Tx tx, AclToken t) {
        AclTables a = tx.acl;
        String holder = a.secrets.get(t.secretId());
        if (holder != null && !holder.equals(t.accessorId())) {
            return invalid("Invalid Token: SecretID is already in use");
        }
        for (String id : t.policyIds()) {
            if (!a.policies.containsKey(id)) {
                return invalid("cannot find policy " + id);
            }
        }
        AclToken old = a.tokens.get(t.accessorId());
        if (old == null && a.tokens.size() >= MAX_TOKENS) {
            return invalid("too many ACL tokens (" + MAX_TOKENS + ")");
        }
        AclToken stored = old == null ? t.withIndexes(t.createTimeMillis(), tx.index, tx.index)
                : t.withIndexes(old.createTimeMillis(), old.createIndex(), tx.index);
        tx.acl = a.withToken(stored);
        tx.emit(new Change(tx.index, Table.ACL_TOKENS, Change.Op.UPSERT, t.accessorId(), "", ""));
        return new CommandResult.Done();
    }

    private static CommandResult invalid(String message) {
        return new CommandResult.Failed(CommandResult.Failed.Kind.INVALID, message);
    }

    /** Adds the problems of {@code c} to {@code p} (sizes, names, forms). */
    public static void check(Command.AclCommand c, List<String> p) {
        if (c instanceof Command.AclPolicySet s) {
            policy(s.policy(), p);
        } else if (c instanceof Command.AclPolicyDelete d) {
            id("policy ID", d.id(), p);
        } else if (c instanceof Command.AclTokenSet s) {
            token(s.token(), p);
        } else if (c instanceof Command.AclTokenDelete d) {
            id("AccessorID", d.accessorId(), p);
        } else if (c instanceof Command.AclBootstrap b) {
            token(b.token(), p);
            if (b.resetIndex() < 0) {
                p.add("reset index must not be negative");
            }
        } else if (c instanceof Command.AclInit i) {
            policy(i.policy(), p);
            token(i.token(), p);
        } else if (c instanceof Command.AclReplicatePolicies rp) {
            if (rp.upserts().size() + rp.deletes().size() > MAX_REPLICATION_BATCH) {
                p.add("a replication batch holds more than " + MAX_REPLICATION_BATCH + " objects");
            }
            rp.upserts().forEach(x -> policy(x, p));
            rp.deletes().forEach(x -> id("policy ID", x, p));
        } else if (c instanceof Command.AclReplicateTokens rt) {
            if (rt.upserts().size() + rt.deletes().size() > MAX_REPLICATION_BATCH) {
                p.add("a replication batch holds more than " + MAX_REPLICATION_BATCH + " objects");
            }
            for (AclToken t : rt.upserts()) {
                token(t, p);
                if (t.local()) {
                    p.add("local token " + clip(t.accessorId()) + " cannot be replicated");
                }
            }
            rt.deletes().forEach(x -> id("AccessorID", x, p));
        }
    }

    static void policy(AclPolicy x, List<String> p) {
        id("policy ID", x.id(), p);
        if (!POLICY_NAME.matcher(x.name()).matches()) {
            p.add("Invalid Policy: invalid Name \"" + clip(x.name()) + "\": use 1 to " + MAX_POLICY_NAME
                    + " letters, digits, '-' or '_'");
        }
        bytes("description", x.description(), MAX_DESCRIPTION_BYTES, p);
        bytes("rules", x.rules(), MAX_RULES_BYTES, p);
        bytes("hash", x.hash(), MAX_ID_BYTES, p);
        if (x.datacenters().size() > MAX_LINKS) {
            p.add("a policy names more than " + MAX_LINKS + " datacenters");
        }
        for (String dc : x.datacenters()) {
            bytes("datacenter", dc, MAX_ID_BYTES, p);
        }
    }

    static void token(AclToken t, List<String> p) {
        id("AccessorID", t.accessorId(), p);
        id("SecretID", t.secretId(), p);
        bytes("description", t.description(), MAX_DESCRIPTION_BYTES, p);
        bytes("hash", t.hash(), MAX_ID_BYTES, p);
        bytes("legacy type", t.legacyType(), MAX_ID_BYTES, p);
        bytes("rules", t.legacyRules(), MAX_RULES_BYTES, p);
        if (t.policyIds().size() > MAX_LINKS) {
            p.add("a token links more than " + MAX_LINKS + " policies");
        }
        for (String id : t.policyIds()) {
            id("policy ID", id, p);
        }
        if (!t.legacyType().isEmpty() && !t.legacyType().equals("client") && !t.legacyType().equals("management")) {
            p.add("invalid legacy token type \"" + clip(t.legacyType()) + "\"");
        }
    }

    private static void id(String what, String v, List<String> p) {
        if (v.isEmpty()) {
            p.add(what + " is empty");
        } else {
            bytes(what, v, MAX_ID_BYTES, p);
        }
    }

    private static void bytes(String what, String v, int max, List<String> p) {
        if (v.length() > max || v.getBytes(StandardCharsets.UTF_8).length > max) {
            p.add(what + " is longer than " + max + " bytes");
        }
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
