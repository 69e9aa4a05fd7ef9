package io.tribune.state.internal;

import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import io.tribune.state.Command;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary forms of the ACL commands (tags {@value #FIRST}..{@value #LAST}, apart from every other
 * command's) and of ACL records in commands and snapshots. Field order is the records' order.
 */
final class AclCodec {
    static final int FIRST = 100;
    static final int POLICY_SET = 100;
    static final int POLICY_DELETE = 101;
    static final int TOKEN_SET = 102;
    static final int TOKEN_DELETE = 103;
    static final int BOOTSTRAP = 104;
    static final int INIT = 105;
    static final int REPLICATE_POLICIES = 106;
    static final int REPLICATE_TOKENS = 107;
    static final int LAST = 109;

    private AclCodec() {
    }

    static boolean handles(int tag) {
        return tag >= FIRST && tag <= LAST;
    }

    static void encode(WireWriter w, Command.AclCommand c) {
        if (c instanceof Command.AclPolicySet s) {
            policy(w.u8(POLICY_SET), s.policy());
        } else if (c instanceof Command.AclPolicyDelete d) {
            w.u8(POLICY_DELETE).str(d.id());
        } else if (c instanceof Command.AclTokenSet s) {
            token(w.u8(TOKEN_SET), s.token());
        } else if (c instanceof Command.AclTokenDelete d) {
            w.u8(TOKEN_DELETE).str(d.accessorId());
        } else if (c instanceof Command.AclBootstrap b) {
            token(w.u8(BOOTSTRAP), b.token());
            w.i64(b.resetIndex());
        } else if (c instanceof Command.AclInit i) {
            policy(w.u8(INIT), i.policy());
            token(w, i.token());
        } else if (c instanceof Command.AclReplicatePolicies rp) {
            w.u8(REPLICATE_POLICIES).i32(rp.upserts().size());
            rp.upserts().forEach(p -> policy(w, p));
            w.strList(rp.deletes());
        } else if (c instanceof Command.AclReplicateTokens rt) {
            w.u8(REPLICATE_TOKENS).i32(rt.upserts().size());
            rt.upserts().forEach(t -> token(w, t));
            w.strList(rt.deletes());
        } else {
            throw new IllegalArgumentException("unknown ACL command " + c.getClass().getSimpleName());
        }
    }

    static Command decode(int tag, WireReader r) {
        return switch (tag) {
            case POLICY_SET -> new Command.AclPolicySet(policy(r));
            case POLICY_DELETE -> new Command.AclPolicyDelete(r.str("policy id"));
            case TOKEN_SET -> new Command.AclTokenSet(token(r));
            case TOKEN_DELETE -> new Command.AclTokenDelete(r.str("accessor id"));
            case BOOTSTRAP -> new Command.AclBootstrap(token(r), r.i64("reset index"));
            case INIT -> new Command.AclInit(policy(r), token(r));
            case REPLICATE_POLICIES -> {
                int n = r.count("replicated policies", AclOps.MAX_REPLICATION_BATCH);
                List<AclPolicy> ps = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ps.add(policy(r));
                }
                yield new Command.AclReplicatePolicies(ps, r.strList("deleted policies", AclOps.MAX_REPLICATION_BATCH));
            }
            case REPLICATE_TOKENS -> {
                int n = r.count("replicated tokens", AclOps.MAX_REPLICATION_BATCH);
                List<AclToken> ts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    ts.add(token(r));
                }
                yield new Command.AclReplicateTokens(ts, r.strList("deleted tokens", AclOps.MAX_REPLICATION_BATCH));
            }
            default -> throw new MalformedInputException("unknown ACL command type " + tag);
        };
    }

    static void policy(WireWriter w, AclPolicy p) {
        w.str(p.id()).str(p.name()).str(p.description()).str(p.rules()).strList(p.datacenters()).str(p.hash())
                .i64(p.createIndex()).i64(p.modifyIndex());
    }

    static AclPolicy policy(WireReader r) {
        return new AclPolicy(r.str("policy id"), r.str("policy name"), r.str("description"), r.str("rules"),
                r.strList("datacenters", AclOps.MAX_LINKS), r.str("hash"), r.i64("createIndex"), r.i64("modifyIndex"));
    }

    static void token(WireWriter w, AclToken t) {
        w.str(t.accessorId()).str(t.secretId()).str(t.description()).strList(t.policyIds()).bool(t.local())
                .i64(t.createTimeMillis()).str(t.hash()).str(t.legacyType()).str(t.legacyRules())
                .i64(t.createIndex()).i64(t.modifyIndex());
    }

    static AclToken token(WireReader r) {
        return new AclToken(r.str("accessor id"), r.str("secret id"), r.str("description"),
                r.strList("policies", AclOps.MAX_LINKS), r.bool("local"), r.i64("create time"), r.str("hash"),
                r.str("legacy type"), r.str("legacy rules"), r.i64("createIndex"), r.i64("modifyIndex"));
    }
}
