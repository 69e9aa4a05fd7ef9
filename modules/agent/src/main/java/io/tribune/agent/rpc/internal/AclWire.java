package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.internal.Wire.Shape;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import java.util.List;
import java.util.Optional;

/**
 * How the ACL operations ({@link Acl}) and their answers travel between agents: one typed case of
 * {@code Call} per operation (fields 91..107 of {@code rpc.proto}) and the answers in
 * {@code Value}'s {@code acl_*} fields, registered in {@link Wire}'s table like every other
 * operation. Decoding goes through the records' canonical constructors, so an operation from
 * another agent is held to the same checks (sizes, required IDs) as one from a front end.
 *
 * <p>Stateless and thread-safe.
 */
final class AclWire {
    private AclWire() {
    }

    // ---------------------------------------------------------------- answer shapes

    static final Shape<AclPolicy> POLICY = new Shape<>((v, b) -> b.addAclPolicies(policy(v)),
            x -> policy(Wire.one(x.getAclPoliciesList(), "policy")));
    static final Shape<Optional<AclPolicy>> OPT_POLICY = new Shape<>((v, b) -> v.ifPresent(p ->
            b.addAclPolicies(policy(p))), x -> Wire.atMostOne(x.getAclPoliciesList(), "policy").map(AclWire::policy));
    static final Shape<List<AclPolicy>> POLICIES = new Shape<>((v, b) -> v.forEach(p -> b.addAclPolicies(policy(p))),
            x -> Wire.map(x.getAclPoliciesList(), AclWire::policy));
    static final Shape<Acl.TokenInfo> TOKEN = new Shape<>((v, b) -> b.addAclTokens(info(v)),
            x -> info(Wire.one(x.getAclTokensList(), "token")));
    static final Shape<Optional<Acl.TokenInfo>> OPT_TOKEN = new Shape<>((v, b) -> v.ifPresent(t ->
            b.addAclTokens(info(t))), x -> Wire.atMostOne(x.getAclTokensList(), "token").map(AclWire::info));
    static final Shape<List<Acl.TokenInfo>> TOKENS = new Shape<>((v, b) -> v.forEach(t -> b.addAclTokens(info(t))),
            x -> Wire.map(x.getAclTokensList(), AclWire::info));
    static final Shape<Acl.Identity> IDENTITY = new Shape<>((v, b) -> b.setAclIdentity(
            io.tribune.agent.rpc.wire.AclIdentity.newBuilder().setFound(v.found()).setAccessorId(v.accessorId())
                    .setManagement(v.management()).addAllRules(v.rules())),
            x -> new Acl.Identity(x.getAclIdentity().getFound(), x.getAclIdentity().getAccessorId(),
                    x.getAclIdentity().getManagement(), List.copyOf(x.getAclIdentity().getRulesList())));
    static final Shape<Acl.Replication> REPLICATION = new Shape<>((v, b) -> b.setAclReplication(
            io.tribune.agent.rpc.wire.AclReplication.newBuilder().setEnabled(v.enabled()).setRunning(v.running())
                    .setSourceDatacenter(v.sourceDatacenter()).setReplicationType(v.replicationType())
                    .setReplicatedIndex(v.replicatedIndex()).setReplicatedTokenIndex(v.replicatedTokenIndex())
                    .setLastSuccessMillis(v.lastSuccessMillis()).setLastErrorMillis(v.lastErrorMillis())
                    .setLastErrorMessage(v.lastErrorMessage())), x -> {
                var r = x.getAclReplication();
                return new Acl.Replication(r.getEnabled(), r.getRunning(), r.getSourceDatacenter(),
                        r.getReplicationType(), r.getReplicatedIndex(), r.getReplicatedTokenIndex(),
                        r.getLastSuccessMillis(), r.getLastErrorMillis(), r.getLastErrorMessage());
            });

    /** Adds every travelling ACL operation to {@link Wire}'s table; called once from its initializer. */
    static void register() {
        Wire.op(Acl.Bootstrap.class, Call.OpCase.ACL_BOOTSTRAP, c -> new Acl.Bootstrap(), TOKEN);
        Wire.op(Acl.PolicyWrite.class, Call.OpCase.ACL_POLICY_WRITE, c -> {
            var m = c.getAclPolicyWrite();
            return new Acl.PolicyWrite(m.getId(), m.getName(), m.getDescription(), m.getRules(),
                    List.copyOf(m.getDatacentersList()));
        }, POLICY);
        Wire.op(Acl.PolicyDelete.class, Call.OpCase.ACL_POLICY_DELETE,
                c -> new Acl.PolicyDelete(c.getAclPolicyDelete().getId()), Wire.BOOL);
        Wire.op(Acl.PolicyRead.class, Call.OpCase.ACL_POLICY_READ,
                c -> new Acl.PolicyRead(c.getAclPolicyRead().getId()), OPT_POLICY);
        Wire.op(Acl.PolicyList.class, Call.OpCase.ACL_POLICY_LIST, c -> new Acl.PolicyList(), POLICIES);
        Wire.op(Acl.TokenWrite.class, Call.OpCase.ACL_TOKEN_WRITE, c -> {
            var m = c.getAclTokenWrite();
            return new Acl.TokenWrite(m.getAccessorId(), m.getSecretId(), m.getDescription(),
                    Wire.map(m.getPoliciesList(), l -> new Acl.PolicyLink(l.getId(), l.getName())), m.getLocal());
        }, TOKEN);
        Wire.op(Acl.TokenClone.class, Call.OpCase.ACL_TOKEN_CLONE, c -> new Acl.TokenClone(
                c.getAclTokenClone().getAccessorId(), c.getAclTokenClone().getDescription()), TOKEN);
        Wire.op(Acl.TokenDelete.class, Call.OpCase.ACL_TOKEN_DELETE,
                c -> new Acl.TokenDelete(c.getAclTokenDelete().getAccessorId()), Wire.BOOL);
        Wire.op(Acl.TokenRead.class, Call.OpCase.ACL_TOKEN_READ,
                c -> new Acl.TokenRead(c.getAclTokenRead().getAccessorId()), OPT_TOKEN);
        Wire.op(Acl.TokenSelf.class, Call.OpCase.ACL_TOKEN_SELF,
                c -> new Acl.TokenSelf(c.getAclTokenSelf().getSecretId()), OPT_TOKEN);
        Wire.op(Acl.TokenList.class, Call.OpCase.ACL_TOKEN_LIST, c -> new Acl.TokenList(), TOKENS);
        Wire.op(Acl.LegacyWrite.class, Call.OpCase.ACL_LEGACY_WRITE, c -> {
            var m = c.getAclLegacyWrite();
            return new Acl.LegacyWrite(m.getSecretId(), m.getName(), m.getType(), m.getRules(), m.getUpdate());
        }, Wire.TEXT);
        Wire.op(Acl.LegacyDestroy.class, Call.OpCase.ACL_LEGACY_DESTROY,
                c -> new Acl.LegacyDestroy(c.getAclLegacyDestroy().getSecretId()), Wire.BOOL);
        Wire.op(Acl.LegacyInfo.class, Call.OpCase.ACL_LEGACY_INFO,
                c -> new Acl.LegacyInfo(c.getAclLegacyInfo().getSecretId()), OPT_TOKEN);
        Wire.op(Acl.LegacyClone.class, Call.OpCase.ACL_LEGACY_CLONE,
                c -> new Acl.LegacyClone(c.getAclLegacyClone().getSecretId()), Wire.TEXT);
        Wire.op(Acl.Resolve.class, Call.OpCase.ACL_RESOLVE, c -> new Acl.Resolve(c.getAclResolve().getSecretId()),
                IDENTITY);
        Wire.op(Acl.ReplicationStatus.class, Call.OpCase.ACL_REPLICATION_STATUS, c -> new Acl.ReplicationStatus(),
                REPLICATION);
    }

    /** Sets the case of {@code op} on {@code c}. */
    static void encode(Acl.AclOp<?> op, Call.Builder c) {
        if (op instanceof Acl.Bootstrap) {
            c.setAclBootstrap(io.tribune.agent.rpc.wire.AclBootstrap.getDefaultInstance());
        } else if (op instanceof Acl.PolicyWrite o) {
            c.setAclPolicyWrite(io.tribune.agent.rpc.wire.AclPolicyWrite.newBuilder().setId(o.id()).setName(o.name())
                    .setDescription(o.description()).setRules(o.rules()).addAllDatacenters(o.datacenters()));
        } else if (op instanceof Acl.PolicyDelete o) {
            c.setAclPolicyDelete(io.tribune.agent.rpc.wire.AclPolicyDelete.newBuilder().setId(o.id()));
        } else if (op instanceof Acl.PolicyRead o) {
            c.setAclPolicyRead(io.tribune.agent.rpc.wire.AclPolicyRead.newBuilder().setId(o.id()));
        } else if (op instanceof Acl.PolicyList) {
            c.setAclPolicyList(io.tribune.agent.rpc.wire.AclPolicyList.getDefaultInstance());
        } else if (op instanceof Acl.TokenWrite o) {
            c.setAclTokenWrite(io.tribune.agent.rpc.wire.AclTokenWrite.newBuilder().setAccessorId(o.accessorId())
                    .setSecretId(o.secretId()).setDescription(o.description())
                    .addAllPolicies(Wire.map(o.policies(), AclWire::link)).setLocal(o.local()));
        } else if (op instanceof Acl.TokenClone o) {
            c.setAclTokenClone(io.tribune.agent.rpc.wire.AclTokenClone.newBuilder().setAccessorId(o.accessorId())
                    .setDescription(o.description()));
        } else if (op instanceof Acl.TokenDelete o) {
            c.setAclTokenDelete(io.tribune.agent.rpc.wire.AclTokenDelete.newBuilder().setAccessorId(o.accessorId()));
        } else if (op instanceof Acl.TokenRead o) {
            c.setAclTokenRead(io.tribune.agent.rpc.wire.AclTokenRead.newBuilder().setAccessorId(o.accessorId()));
        } else if (op instanceof Acl.TokenSelf o) {
            c.setAclTokenSelf(io.tribune.agent.rpc.wire.AclTokenSelf.newBuilder().setSecretId(o.secretId()));
        } else if (op instanceof Acl.TokenList) {
            c.setAclTokenList(io.tribune.agent.rpc.wire.AclTokenList.getDefaultInstance());
        } else if (op instanceof Acl.LegacyWrite o) {
            c.setAclLegacyWrite(io.tribune.agent.rpc.wire.AclLegacyWrite.newBuilder().setSecretId(o.secretId())
                    .setName(o.name()).setType(o.type()).setRules(o.rules()).setUpdate(o.update()));
        } else if (op instanceof Acl.LegacyDestroy o) {
            c.setAclLegacyDestroy(io.tribune.agent.rpc.wire.AclLegacyDestroy.newBuilder().setSecretId(o.secretId()));
        } else if (op instanceof Acl.LegacyInfo o) {
            c.setAclLegacyInfo(io.tribune.agent.rpc.wire.AclLegacyInfo.newBuilder().setSecretId(o.secretId()));
        } else if (op instanceof Acl.LegacyClone o) {
            c.setAclLegacyClone(io.tribune.agent.rpc.wire.AclLegacyClone.newBuilder().setSecretId(o.secretId()));
        } else if (op instanceof Acl.Resolve o) {
            c.setAclResolve(io.tribune.agent.rpc.wire.AclResolve.newBuilder().setSecretId(o.secretId()));
        } else if (op instanceof Acl.ReplicationStatus) {
            c.setAclReplicationStatus(io.tribune.agent.rpc.wire.AclReplicationStatus.getDefaultInstance());
        } else {
            throw new AgentException(AgentException.Kind.INTERNAL, op.opName() + " does not travel between agents");
        }
    }

    // ---------------------------------------------------------------- entities

    static io.tribune.agent.rpc.wire.AclPolicy policy(AclPolicy p) {
        return io.tribune.agent.rpc.wire.AclPolicy.newBuilder().setId(p.id()).setName(p.name())
                .setDescription(p.description()).setRules(p.rules()).addAllDatacenters(p.datacenters())
                .setHash(p.hash()).setCreateIndex(p.createIndex()).setModifyIndex(p.modifyIndex()).build();
    }

    static AclPolicy policy(io.tribune.agent.rpc.wire.AclPolicy p) {
        return new AclPolicy(p.getId(), p.getName(), p.getDescription(), p.getRules(),
                List.copyOf(p.getDatacentersList()), p.getHash(), p.getCreateIndex(), p.getModifyIndex());
    }

    static io.tribune.agent.rpc.wire.AclToken token(AclToken t) {
        return io.tribune.agent.rpc.wire.AclToken.newBuilder().setAccessorId(t.accessorId()).setSecretId(t.secretId())
                .setDescription(t.description()).addAllPolicyIds(t.policyIds()).setLocal(t.local())
                .setCreateTimeMillis(t.createTimeMillis()).setHash(t.hash()).setLegacyType(t.legacyType())
                .setLegacyRules(t.legacyRules()).setCreateIndex(t.createIndex()).setModifyIndex(t.modifyIndex())
                .build();
    }

    static AclToken token(io.tribune.agent.rpc.wire.AclToken t) {
        return new AclToken(t.getAccessorId(), t.getSecretId(), t.getDescription(), List.copyOf(t.getPolicyIdsList()),
                t.getLocal(), t.getCreateTimeMillis(), t.getHash(), t.getLegacyType(), t.getLegacyRules(),
                t.getCreateIndex(), t.getModifyIndex());
    }

    private static io.tribune.agent.rpc.wire.AclPolicyLink link(Acl.PolicyLink l) {
        return io.tribune.agent.rpc.wire.AclPolicyLink.newBuilder().setId(l.id()).setName(l.name()).build();
    }

    private static io.tribune.agent.rpc.wire.AclTokenInfo info(Acl.TokenInfo i) {
        return io.tribune.agent.rpc.wire.AclTokenInfo.newBuilder().setToken(token(i.token()))
                .addAllPolicies(Wire.map(i.policies(), AclWire::link)).build();
    }

    private static Acl.TokenInfo info(io.tribune.agent.rpc.wire.AclTokenInfo i) {
        if (!i.hasToken()) {
            throw new IllegalArgumentException("a token answer without its token");
        }
        return new Acl.TokenInfo(token(i.getToken()), Wire.map(i.getPoliciesList(),
                l -> new Acl.PolicyLink(l.getId(), l.getName())));
    }
}
