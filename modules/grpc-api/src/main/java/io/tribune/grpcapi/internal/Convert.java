package io.tribune.grpcapi.internal;

import com.google.protobuf.ByteString;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.Member;
import io.tribune.api.grpc.v1.MemberStatus;
import io.tribune.api.grpc.v1.Node;
import io.tribune.api.grpc.v1.Service;
import io.tribune.api.grpc.v1.ServiceHealth;
import io.tribune.api.grpc.v1.Session;
import io.tribune.api.grpc.v1.SessionBehavior;
import io.tribune.api.grpc.v1.TxnOp;
import io.tribune.api.grpc.v1.UserEvent;
import io.tribune.state.EventRecord;
import io.tribune.state.NodeService;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the state store's records and the {@code tribune.v1} messages. */
public final class Convert {
    private Convert() {
    }

    /** A KV entry message. */
    public static KvEntry kv(io.tribune.state.KvEntry e) {
        return KvEntry.newBuilder().setKey(e.key()).setValue(ByteString.copyFrom(e.value())).setFlags(e.flags())
                .setCreateIndex(e.createIndex()).setModifyIndex(e.modifyIndex()).setLockIndex(e.lockIndex())
                .setSession(e.session()).build();
    }

    /** A node message. */
    public static Node node(io.tribune.state.Node n) {
        return Node.newBuilder().setId(n.id()).setNode(n.node()).setAddress(n.address()).setDatacenter(n.datacenter())
                .putAllTaggedAddresses(n.taggedAddresses()).putAllMeta(n.meta()).setCreateIndex(n.createIndex())
                .setModifyIndex(n.modifyIndex()).build();
    }

    /** A node record to register (indexes are the store's). */
    public static io.tribune.state.Node node(Node n) {
        return new io.tribune.state.Node(n.getId(), n.getNode(), n.getAddress(), n.getDatacenter(),
                n.getTaggedAddressesMap(), n.getMetaMap(), 0, 0);
    }

    /** A service instance message. */
    public static Service service(NodeService s) {
        return Service.newBuilder().setId(s.id()).setService(s.service()).addAllTags(s.tags()).setAddress(s.address())
                .putAllMeta(s.meta()).setPort(s.port()).setWeightPassing(s.weights().passing())
                .setWeightWarning(s.weights().warning()).setEnableTagOverride(s.enableTagOverride())
                .setCreateIndex(s.createIndex()).setModifyIndex(s.modifyIndex()).build();
    }

    /** A service record to register; a port beyond 65535 is refused with INVALID_ARGUMENT. */
    public static NodeService service(Service s) {
        long port = Integer.toUnsignedLong(s.getPort());
        if (port > 65535) {
            throw Errors.invalid("invalid service port " + port + " (expected 0..65535)");
        }
        NodeService.Weights w = new NodeService.Weights(
                s.getWeightPassing() == 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, s.getWeightPassing() & 0xffffffffL),
                s.getWeightWarning() == 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, s.getWeightWarning() & 0xffffffffL));
        return new NodeService(s.getId(), s.getService(), s.getTagsList(), s.getAddress(), s.getMetaMap(), (int) port, w,
                s.getEnableTagOverride(), 0, 0);
    }

    /** A check status message. */
    public static HealthStatus status(io.tribune.state.HealthStatus s) {
        return switch (s) {
            case PASSING -> HealthStatus.HEALTH_STATUS_PASSING;
            case WARNING -> HealthStatus.HEALTH_STATUS_WARNING;
            case CRITICAL -> HealthStatus.HEALTH_STATUS_CRITICAL;
        };
    }

    /** A check status record; UNSPECIFIED is refused with INVALID_ARGUMENT. */
    public static io.tribune.state.HealthStatus status(HealthStatus s, String what) {
        return switch (s) {
            case HEALTH_STATUS_PASSING -> io.tribune.state.HealthStatus.PASSING;
            case HEALTH_STATUS_WARNING -> io.tribune.state.HealthStatus.WARNING;
            case HEALTH_STATUS_CRITICAL -> io.tribune.state.HealthStatus.CRITICAL;
            default -> throw Errors.invalid(what + ": missing or unknown status (expected PASSING, WARNING or CRITICAL)");
        };
    }

    /** A check message. */
    public static HealthCheck check(io.tribune.state.HealthCheck c) {
        return HealthCheck.newBuilder().setNode(c.node()).setCheckId(c.checkId()).setName(c.name())
                .setStatus(status(c.status())).setNotes(c.notes()).setOutput(c.output()).setServiceId(c.serviceId())
                .setServiceName(c.serviceName()).addAllServiceTags(c.serviceTags()).setType(c.type())
                .setCreateIndex(c.createIndex()).setModifyIndex(c.modifyIndex()).build();
    }

    /** A check record to register. */
    public static io.tribune.state.HealthCheck check(HealthCheck c) {
        return new io.tribune.state.HealthCheck(c.getNode(), c.getCheckId(), c.getName(),
                status(c.getStatus(), "check '" + abbreviate(c.getCheckId()) + "'"), c.getNotes(),
                c.getOutput(), c.getServiceId(), "", List.of(), c.getType(), 0, 0);
    }

    /** A checks list. */
    public static List<HealthCheck> checks(List<io.tribune.state.HealthCheck> cs) {
        List<HealthCheck> out = new ArrayList<>(cs.size());
        cs.forEach(c -> out.add(check(c)));
        return out;
    }

    /** A service health message. */
    public static ServiceHealth health(io.tribune.state.ServiceHealth h) {
        return ServiceHealth.newBuilder().setNode(node(h.node())).setService(service(h.service()))
                .addAllChecks(checks(h.checks())).setAggregateStatus(status(h.aggregateStatus())).build();
    }

    /** A session message. */
    public static Session session(io.tribune.state.Session s) {
        return Session.newBuilder().setId(s.id()).setName(s.name()).setNode(s.node())
                .setLockDelayMillis(s.lockDelayMillis())
                .setBehavior(s.behavior() == io.tribune.state.SessionBehavior.DELETE
                        ? SessionBehavior.SESSION_BEHAVIOR_DELETE : SessionBehavior.SESSION_BEHAVIOR_RELEASE)
                .setTtlMillis(s.ttlMillis()).addAllNodeChecks(s.nodeChecks()).setCreateIndex(s.createIndex())
                .setModifyIndex(s.modifyIndex()).build();
    }

    /** A user event message. */
    public static UserEvent event(EventRecord e) {
        return UserEvent.newBuilder().setId(e.id()).setName(e.name()).setPayload(ByteString.copyFrom(e.payload()))
                .setNodeFilter(e.nodeFilter()).setServiceFilter(e.serviceFilter()).setTagFilter(e.tagFilter())
                .setLtime(e.ltime()).build();
    }

    /** A gossip member message. */
    public static Member member(io.tribune.api.membership.Member m) {
        MemberStatus st = switch (m.status()) {
            case ALIVE -> MemberStatus.MEMBER_STATUS_ALIVE;
            case SUSPECT -> MemberStatus.MEMBER_STATUS_SUSPECT;
            case LEAVING -> MemberStatus.MEMBER_STATUS_LEAVING;
            case LEFT -> MemberStatus.MEMBER_STATUS_LEFT;
            case FAILED -> MemberStatus.MEMBER_STATUS_FAILED;
        };
        return Member.newBuilder().setName(m.name()).setAddress(m.host()).setPort(m.port()).putAllTags(m.tags())
                .setStatus(st).setIncarnation(m.incarnation()).build();
    }

    /** A transaction operation record; an unknown verb is refused with INVALID_ARGUMENT naming it. */
    public static io.tribune.state.TxnOp txnOp(int i, TxnOp op) {
        io.tribune.state.TxnOp.Verb v = switch (op.getVerb()) {
            case TXN_VERB_SET -> io.tribune.state.TxnOp.Verb.SET;
            case TXN_VERB_CAS -> io.tribune.state.TxnOp.Verb.CAS;
            case TXN_VERB_LOCK -> io.tribune.state.TxnOp.Verb.LOCK;
            case TXN_VERB_UNLOCK -> io.tribune.state.TxnOp.Verb.UNLOCK;
            case TXN_VERB_GET -> io.tribune.state.TxnOp.Verb.GET;
            case TXN_VERB_GET_TREE -> io.tribune.state.TxnOp.Verb.GET_TREE;
            case TXN_VERB_CHECK_INDEX -> io.tribune.state.TxnOp.Verb.CHECK_INDEX;
            case TXN_VERB_CHECK_SESSION -> io.tribune.state.TxnOp.Verb.CHECK_SESSION;
            case TXN_VERB_CHECK_NOT_EXISTS -> io.tribune.state.TxnOp.Verb.CHECK_NOT_EXISTS;
            case TXN_VERB_DELETE -> io.tribune.state.TxnOp.Verb.DELETE;
            case TXN_VERB_DELETE_TREE -> io.tribune.state.TxnOp.Verb.DELETE_TREE;
            case TXN_VERB_DELETE_CAS -> io.tribune.state.TxnOp.Verb.DELETE_CAS;
            default -> throw Errors.invalid("operation " + i + ": missing or unknown verb " + op.getVerbValue());
        };
        if (op.getIndex() < 0) {
            throw Errors.invalid("operation " + i + ": index " + Long.toUnsignedString(op.getIndex())
                    + " is out of range");
        }
        return new io.tribune.state.TxnOp(v, op.getKey(), op.getValue().toByteArray(), op.getFlags(), op.getIndex(),
                op.getSession());
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
