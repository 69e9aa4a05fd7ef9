package io.tribune.agent.rpc.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentException.Kind;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.Snapshots;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.rpc.Txn;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.agent.rpc.wire.Consistency;
import io.tribune.agent.rpc.wire.Error;
import io.tribune.agent.rpc.wire.ErrorKind;
import io.tribune.agent.rpc.wire.Header;
import io.tribune.agent.rpc.wire.Meta;
import io.tribune.agent.rpc.wire.Reply;
import io.tribune.agent.rpc.wire.Value;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.CommandResult;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.RequestId;
import io.tribune.state.ServiceHealth;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import io.tribune.state.TxnOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The encoding of the request layer between agents, over the schema in
 * {@code src/main/proto/tribune/agent/rpc/v1/rpc.proto}: a {@code Call} (header and operation) per
 * request, a {@code Reply} (metadata and value, or an error) per answer. The RPC method is the
 * operation's {@link Op#name()}.
 *
 * <p>Decoding rebuilds the operation records through their constructors, so a request from another
 * agent is held to the same checks as one from a front end: anything malformed is a
 * {@link Kind#BAD_REQUEST} and changes nothing. Sizes are bounded by the transport's message limit.
 *
 * <p>Stateless and thread-safe.
 */
public final class Wire {
    private Wire() {
    }

    /** How one operation type's answer value is carried. */
    record Shape<R>(BiConsumer<R, Value.Builder> put, Function<Value, R> get) {
    }

    /** One operation type: its oneof case, how it is decoded, and its answer's shape. */
    private record Kind0(Class<?> type, Call.OpCase opCase, Function<Call, Op<?>> decode, Shape<?> shape) {
    }

    private static final Map<Class<?>, Kind0> BY_TYPE = new LinkedHashMap<>();
    private static final Map<Call.OpCase, Kind0> BY_CASE = new LinkedHashMap<>();

    // ---------------------------------------------------------------- shapes

    static final Shape<Boolean> BOOL = new Shape<>((v, b) -> b.setFlag(v), Value::getFlag);
    static final Shape<String> TEXT = new Shape<>((v, b) -> b.setText(v), Value::getText);
    private static final Shape<List<String>> TEXTS = new Shape<>((v, b) -> b.addAllTexts(v),
            x -> List.copyOf(x.getTextsList()));
    private static final Shape<byte[]> BYTES = new Shape<>((v, b) -> b.setData(ByteString.copyFrom(v)),
            x -> x.getData().toByteArray());
    private static final Shape<Optional<KvEntry>> OPT_KV = new Shape<>((v, b) -> v.ifPresent(e -> b.addKvEntries(kv(e))),
            x -> x.getKvEntriesCount() == 0 ? Optional.empty() : Optional.of(kv(x.getKvEntries(0))));
    private static final Shape<List<KvEntry>> KVS = new Shape<>((v, b) -> v.forEach(e -> b.addKvEntries(kv(e))),
            x -> map(x.getKvEntriesList(), Wire::kv));
    private static final Shape<List<Node>> NODES = new Shape<>((v, b) -> v.forEach(n -> b.addNodes(node(n))),
            x -> map(x.getNodesList(), Wire::node));
    private static final Shape<Map<String, List<String>>> SERVICE_TAGS = new Shape<>((v, b) -> v.forEach((k, t) ->
            b.addServiceTags(io.tribune.agent.rpc.wire.ServiceTags.newBuilder().setService(k).addAllTags(t))), x -> {
                Map<String, List<String>> m = new LinkedHashMap<>();
                x.getServiceTagsList().forEach(s -> m.put(s.getService(), List.copyOf(s.getTagsList())));
                return m;
            });
    private static final Shape<List<ServiceInstance>> INSTANCES = new Shape<>((v, b) -> v.forEach(i ->
            b.addInstances(io.tribune.agent.rpc.wire.ServiceInstance.newBuilder().setNode(node(i.node()))
                    .setService(service(i.service())))),
            x -> map(x.getInstancesList(), i -> new ServiceInstance(node(i.getNode()), service(i.getService()))));
    private static final Shape<Optional<NodeServices>> OPT_NODE_SERVICES = new Shape<>((v, b) -> v.ifPresent(ns ->
            b.addNodeServices(io.tribune.agent.rpc.wire.NodeServices.newBuilder().setNode(node(ns.node()))
                    .addAllServices(map(ns.services(), Wire::service)))),
            x -> x.getNodeServicesCount() == 0 ? Optional.empty() : Optional.of(new NodeServices(
                    node(x.getNodeServices(0).getNode()), map(x.getNodeServices(0).getServicesList(), Wire::service))));
    private static final Shape<List<HealthCheck>> CHECKS = new Shape<>((v, b) -> v.forEach(c -> b.addChecks(check(c))),
            x -> map(x.getChecksList(), Wire::check));
    private static final Shape<List<ServiceHealth>> HEALTH = new Shape<>((v, b) -> v.forEach(h ->
            b.addHealth(io.tribune.agent.rpc.wire.ServiceHealth.newBuilder().setNode(node(h.node()))
                    .setService(service(h.service())).addAllChecks(map(h.checks(), Wire::check)))),
            x -> map(x.getHealthList(), h -> new ServiceHealth(node(h.getNode()), service(h.getService()),
                    map(h.getChecksList(), Wire::check))));
    private static final Shape<Optional<Session>> OPT_SESSION = new Shape<>((v, b) -> v.ifPresent(s ->
            b.addSessions(session(s))),
            x -> x.getSessionsCount() == 0 ? Optional.empty() : Optional.of(session(x.getSessions(0))));
    private static final Shape<List<Session>> SESSIONS = new Shape<>((v, b) -> v.forEach(s -> b.addSessions(session(s))),
            x -> map(x.getSessionsList(), Wire::session));
    private static final Shape<EventRecord> EVENT = new Shape<>((v, b) -> b.addEvents(event(v)), x -> {
        if (x.getEventsCount() != 1) {
            throw AgentException.badRequest("an event answer must hold one event, got " + x.getEventsCount());
        }
        return event(x.getEvents(0));
    });
    private static final Shape<List<EventRecord>> EVENTS = new Shape<>((v, b) -> v.forEach(e -> b.addEvents(event(e))),
            x -> map(x.getEventsList(), Wire::event));
    private static final Shape<List<Coordinate>> COORDINATES = new Shape<>((v, b) -> v.forEach(c ->
            b.addCoordinates(coordinate(c))), x -> map(x.getCoordinatesList(), Wire::coordinate));
    private static final Shape<CommandResult.TxnOutcome> TXN = new Shape<>((v, b) -> b.setTxn(txnOutcome(v)),
            x -> txnOutcome(x.getTxn()));
    private static final Shape<Operator.RaftServers> RAFT = new Shape<>((v, b) -> {
        io.tribune.agent.rpc.wire.RaftServers.Builder r = io.tribune.agent.rpc.wire.RaftServers.newBuilder();
        v.servers().forEach(s -> r.addServers(io.tribune.agent.rpc.wire.RaftServer.newBuilder().setId(s.id())
                .setNodeId(s.nodeId()).setAddress(s.address()).setLeader(s.leader()).setVoter(s.voter())));
        b.setRaft(r.setTerm(v.term()));
    }, x -> new Operator.RaftServers(map(x.getRaft().getServersList(), s -> new Operator.RaftServer(s.getId(),
            s.getNodeId(), s.getAddress(), s.getLeader(), s.getVoter())), x.getRaft().getTerm()));

    // ---------------------------------------------------------------- operations

    static {
        op(Kv.Get.class, Call.OpCase.KV_GET, c -> new Kv.Get(c.getKvGet().getKey()), OPT_KV);
        op(Kv.Entries.class, Call.OpCase.KV_ENTRIES, c -> new Kv.Entries(c.getKvEntries().getPrefix()), KVS);
        op(Kv.Keys.class, Call.OpCase.KV_KEYS, c -> new Kv.Keys(c.getKvKeys().getPrefix(),
                c.getKvKeys().getSeparator()), TEXTS);
        op(Kv.Set.class, Call.OpCase.KV_SET, c -> {
            var m = c.getKvSet();
            return new Kv.Set(m.getKey(), m.getValue().toByteArray(), m.getFlags(),
                    m.getHasCas() ? OptionalLong.of(m.getCas()) : OptionalLong.empty());
        }, BOOL);
        op(Kv.Delete.class, Call.OpCase.KV_DELETE, c -> new Kv.Delete(c.getKvDelete().getKey(),
                c.getKvDelete().getHasCas() ? OptionalLong.of(c.getKvDelete().getCas()) : OptionalLong.empty()), BOOL);
        op(Kv.DeleteTree.class, Call.OpCase.KV_DELETE_TREE, c -> new Kv.DeleteTree(c.getKvDeleteTree().getPrefix()),
                BOOL);
        op(Kv.Acquire.class, Call.OpCase.KV_ACQUIRE, c -> {
            var m = c.getKvAcquire();
            return new Kv.Acquire(m.getKey(), m.getValue().toByteArray(), m.getFlags(), m.getSession());
        }, BOOL);
        op(Kv.Release.class, Call.OpCase.KV_RELEASE, c -> {
            var m = c.getKvRelease();
            return new Kv.Release(m.getKey(), m.getValue().toByteArray(), m.getFlags(), m.getSession());
        }, BOOL);
        op(Txn.Apply.class, Call.OpCase.TXN_APPLY, c -> new Txn.Apply(map(c.getTxnApply().getOpsList(), Wire::txnOp)),
                TXN);
        op(Catalog.Register.class, Call.OpCase.CATALOG_REGISTER, c -> {
            var m = c.getCatalogRegister();
            return new Catalog.Register(node(m.getNode()), m.getHasService() ? Optional.of(service(m.getService()))
                    : Optional.empty(), map(m.getChecksList(), Wire::check), m.getSkipNodeUpdate());
        }, BOOL);
        op(Catalog.Deregister.class, Call.OpCase.CATALOG_DEREGISTER, c -> {
            var m = c.getCatalogDeregister();
            return new Catalog.Deregister(m.getNode(), nonEmpty(m.getServiceId()), nonEmpty(m.getCheckId()));
        }, BOOL);
        op(Catalog.Datacenters.class, Call.OpCase.CATALOG_DATACENTERS, c -> new Catalog.Datacenters(), TEXTS);
        op(Catalog.Nodes.class, Call.OpCase.CATALOG_NODES, c -> new Catalog.Nodes(c.getCatalogNodes().getNodeMetaMap()),
                NODES);
        op(Catalog.Services.class, Call.OpCase.CATALOG_SERVICES,
                c -> new Catalog.Services(c.getCatalogServices().getNodeMetaMap()), SERVICE_TAGS);
        op(Catalog.ServiceNodes.class, Call.OpCase.CATALOG_SERVICE_NODES, c -> {
            var m = c.getCatalogServiceNodes();
            return new Catalog.ServiceNodes(m.getService(), m.getTagsList(), m.getNodeMetaMap());
        }, INSTANCES);
        op(Catalog.ServicesOfNode.class, Call.OpCase.CATALOG_NODE_SERVICES,
                c -> new Catalog.ServicesOfNode(c.getCatalogNodeServices().getNode()), OPT_NODE_SERVICES);
        op(Health.NodeChecks.class, Call.OpCase.HEALTH_NODE_CHECKS,
                c -> new Health.NodeChecks(c.getHealthNodeChecks().getNode()), CHECKS);
        op(Health.ServiceChecks.class, Call.OpCase.HEALTH_SERVICE_CHECKS, c -> new Health.ServiceChecks(
                c.getHealthServiceChecks().getService(), c.getHealthServiceChecks().getNodeMetaMap()), CHECKS);
        op(Health.ChecksInState.class, Call.OpCase.HEALTH_CHECKS_IN_STATE, c -> {
            var m = c.getHealthChecksInState();
            return new Health.ChecksInState(m.getState().isEmpty() ? Optional.empty()
                    : Optional.of(status(m.getState())), m.getNodeMetaMap());
        }, CHECKS);
        op(Health.ServiceNodes.class, Call.OpCase.HEALTH_SERVICE_NODES, c -> {
            var m = c.getHealthServiceNodes();
            return new Health.ServiceNodes(m.getService(), m.getTagsList(), m.getPassingOnly(), m.getNodeMetaMap());
        }, HEALTH);
        op(Sessions.Create.class, Call.OpCase.SESSION_CREATE, c -> {
            var m = c.getSessionCreate();
            return new Sessions.Create(m.getName(), m.getNode(), Duration.ofMillis(m.getLockDelayMillis()),
                    behavior(m.getBehavior()), Duration.ofMillis(m.getTtlMillis()),
                    m.getHasNodeChecks() ? Optional.of(List.copyOf(m.getNodeChecksList())) : Optional.empty());
        }, TEXT);
        op(Sessions.Destroy.class, Call.OpCase.SESSION_DESTROY, c -> new Sessions.Destroy(c.getSessionDestroy().getId()),
                BOOL);
        op(Sessions.Renew.class, Call.OpCase.SESSION_RENEW, c -> new Sessions.Renew(c.getSessionRenew().getId()),
                OPT_SESSION);
        op(Sessions.Info.class, Call.OpCase.SESSION_INFO, c -> new Sessions.Info(c.getSessionInfo().getId()),
                OPT_SESSION);
        op(Sessions.OfNode.class, Call.OpCase.SESSION_NODE, c -> new Sessions.OfNode(c.getSessionNode().getNode()),
                SESSIONS);
        op(Sessions.All.class, Call.OpCase.SESSION_LIST, c -> new Sessions.All(), SESSIONS);
        op(Events.Fire.class, Call.OpCase.EVENT_FIRE, c -> {
            var m = c.getEventFire();
            return new Events.Fire(m.getName(), m.getPayload().toByteArray(), m.getNodeFilter(), m.getServiceFilter(),
                    m.getTagFilter());
        }, EVENT);
        op(Events.Named.class, Call.OpCase.EVENT_LIST, c -> new Events.Named(c.getEventList().getName()), EVENTS);
        op(Coordinates.Nodes.class, Call.OpCase.COORDINATE_NODES, c -> new Coordinates.Nodes(), COORDINATES);
        op(Coordinates.OfNode.class, Call.OpCase.COORDINATE_NODE,
                c -> new Coordinates.OfNode(c.getCoordinateNode().getNode()), COORDINATES);
        op(Coordinates.Update.class, Call.OpCase.COORDINATE_UPDATE, c -> new Coordinates.Update(
                map(c.getCoordinateUpdate().getCoordinatesList(), Wire::coordinate)), BOOL);
        op(Coordinates.Wan.class, Call.OpCase.COORDINATE_WAN, c -> new Coordinates.Wan(), COORDINATES);
        op(Status.Leader.class, Call.OpCase.STATUS_LEADER, c -> new Status.Leader(), TEXT);
        op(Status.Peers.class, Call.OpCase.STATUS_PEERS, c -> new Status.Peers(), TEXTS);
        op(Operator.RaftConfiguration.class, Call.OpCase.RAFT_CONFIGURATION, c -> new Operator.RaftConfiguration(),
                RAFT);
        op(Operator.RaftRemovePeer.class, Call.OpCase.RAFT_REMOVE_PEER, c -> new Operator.RaftRemovePeer(
                nonEmpty(c.getRaftRemovePeer().getId()), nonEmpty(c.getRaftRemovePeer().getAddress())), BOOL);
        op(Snapshots.Save.class, Call.OpCase.SNAPSHOT_SAVE, c -> new Snapshots.Save(), BYTES);
        op(Snapshots.Restore.class, Call.OpCase.SNAPSHOT_RESTORE,
                c -> new Snapshots.Restore(c.getSnapshotRestore().getSnapshot().toByteArray()), BOOL);
        AclWire.register();
        QueryWire.register();
        AutopilotWire.register(); // autopilot (Call/Value 130..139)
    }

    static <O extends Op<R>, R> void op(Class<O> type, Call.OpCase opCase, Function<Call, Op<?>> decode,
                                                 Shape<R> shape) {
        Kind0 k = new Kind0(type, opCase, decode, shape);
        BY_TYPE.put(type, k);
        BY_CASE.put(opCase, k);
    }

    /** The names of every operation that travels between agents (the RPC methods a server serves). */
    public static List<String> methods() {
        List<String> out = new ArrayList<>();
        BY_TYPE.keySet().forEach(t -> out.add(Op.nameOf(t)));
        return out;
    }

    /** Whether operations of {@code type} travel between agents. */
    static boolean travels(Class<?> type) {
        return BY_TYPE.containsKey(type);
    }

    // ---------------------------------------------------------------- calls

    /** A request as bytes. */
    static byte[] encodeCall(Envelope e) {
        Options o = e.options();
        Header.Builder h = Header.newBuilder()
                .setDatacenter(o.datacenter())
                .setToken(o.token())
                .setConsistency(consistency(o.consistency()))
                .setMaxStaleMillis(o.maxStale().toMillis())
                .setMinIndex(o.minIndex())
                .setMaxWaitMillis(o.maxWait().toMillis())
                .setHop(hop(e.hop()))
                .setOriginNode(e.originNode());
        e.requestId().ifPresent(id -> h.setHasRequestId(true).setRequestIdHi(id.hi()).setRequestIdLo(id.lo()));
        Call.Builder c = Call.newBuilder().setHeader(h);
        encodeOp(e.op(), c);
        return c.build().toByteArray();
    }

    /**
     * Reads a request sent to RPC method {@code method}.
     *
     * @throws AgentException {@code BAD_REQUEST} when the bytes are malformed, the operation's fields
     *                        break its checks, or the operation is not the method's
     */
    static Envelope decodeCall(String method, byte[] bytes) {
        Call c;
        try {
            c = Call.parseFrom(bytes);
        } catch (InvalidProtocolBufferException ex) {
            throw AgentException.badRequest("malformed request: " + ex.getMessage());
        }
        Kind0 k = BY_CASE.get(c.getOpCase());
        if (k == null) {
            throw AgentException.badRequest("the request names no operation this agent knows");
        }
        Op<?> op;
        try {
            op = k.decode().apply(c);
        } catch (AgentException ex) {
            throw ex;
        } catch (RuntimeException ex) {
            throw AgentException.badRequest("malformed " + Op.nameOf(k.type()) + " request: " + ex.getMessage());
        }
        if (!op.opName().equals(method)) {
            throw AgentException.badRequest("RPC method " + method + " carries a " + op.opName() + " request");
        }
        Header h = c.getHeader();
        Options o;
        try {
            o = new Options(h.getDatacenter(), h.getToken(), consistency(h.getConsistency()),
                    Duration.ofMillis(h.getMaxStaleMillis()), h.getMinIndex(), Duration.ofMillis(h.getMaxWaitMillis()),
                    false);
        } catch (ArithmeticException ex) {
            throw AgentException.badRequest("malformed request header: " + ex.getMessage());
        }
        Optional<RequestId> id = h.getHasRequestId() ? Optional.of(new RequestId(h.getRequestIdHi(),
                h.getRequestIdLo())) : Optional.empty();
        if (h.getOriginNode().length() > 512) {
            throw AgentException.badRequest("origin node name is longer than 512 characters");
        }
        return new Envelope(op, o, id, h.getOriginNode(), hop(h.getHop()));
    }

    // ---------------------------------------------------------------- replies

    /** An answer as bytes. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static byte[] encodeReply(Op<?> op, Response<?> r) {
        Value.Builder v = Value.newBuilder();
        ((Shape) kind(op).shape()).put().accept(r.value(), v);
        Response.Meta m = r.meta();
        return Reply.newBuilder().setMeta(Meta.newBuilder().setIndex(m.index()).setKnownLeader(m.knownLeader())
                        .setLastContactMillis(m.lastContact().toMillis()).setServedAs(consistency(m.servedAs())))
                .setValue(v).build().toByteArray();
    }

    /** A failure as bytes. */
    static byte[] encodeError(Throwable t) {
        ErrorKind kind;
        String message;
        if (t instanceof Router.NotLeaderHere) {
            kind = ErrorKind.ERROR_KIND_NOT_LEADER;
            message = "not the leader";
        } else {
            AgentException a = AgentException.of(t);
            kind = errorKind(a.kind());
            message = String.valueOf(a.getMessage());
        }
        return Reply.newBuilder().setError(Error.newBuilder().setKind(kind).setMessage(message)).build().toByteArray();
    }

    /**
     * Reads the answer to {@code op}.
     *
     * @throws AgentException the error the answer carries, or {@code INTERNAL} for malformed bytes
     * @throws Router.NotLeaderHere when the server was sent the request as leader and is not
     */
    @SuppressWarnings("unchecked")
    static <R> Response<R> decodeReply(Op<R> op, byte[] bytes) {
        Reply r;
        try {
            r = Reply.parseFrom(bytes);
        } catch (InvalidProtocolBufferException ex) {
            throw new AgentException(Kind.INTERNAL, "malformed answer from the server: " + ex.getMessage());
        }
        if (r.hasError()) {
            Error e = r.getError();
            if (e.getKind() == ErrorKind.ERROR_KIND_NOT_LEADER) {
                throw new Router.NotLeaderHere();
            }
            throw new AgentException(kind(e.getKind()), e.getMessage());
        }
        R value;
        try {
            value = ((Shape<R>) kind(op).shape()).get().apply(r.getValue());
        } catch (RuntimeException ex) {
            throw new AgentException(Kind.INTERNAL, "malformed " + op.opName() + " answer from the server: "
                    + ex.getMessage());
        }
        Meta m = r.getMeta();
        return new Response<>(value, new Response.Meta(m.getIndex(), m.getKnownLeader(),
                Duration.ofMillis(Math.max(0, m.getLastContactMillis())), consistency(m.getServedAs()), false,
                Duration.ZERO));
    }

    private static Kind0 kind(Op<?> op) {
        Kind0 k = BY_TYPE.get(op.getClass());
        if (k == null) {
            throw new AgentException(Kind.INTERNAL, op.opName() + " does not travel between agents");
        }
        return k;
    }

    // ---------------------------------------------------------------- operation encoders

    private static void encodeOp(Op<?> op, Call.Builder c) {
        if (op instanceof Kv.Get o) {
            c.setKvGet(io.tribune.agent.rpc.wire.KvGet.newBuilder().setKey(o.key()));
        } else if (op instanceof Kv.Entries o) {
            c.setKvEntries(io.tribune.agent.rpc.wire.KvEntries.newBuilder().setPrefix(o.prefix()));
        } else if (op instanceof Kv.Keys o) {
            c.setKvKeys(io.tribune.agent.rpc.wire.KvKeys.newBuilder().setPrefix(o.prefix()).setSeparator(o.separator()));
        } else if (op instanceof Kv.Set o) {
            var b = io.tribune.agent.rpc.wire.KvSet.newBuilder().setKey(o.key()).setValue(ByteString.copyFrom(o.value()))
                    .setFlags(o.flags());
            o.cas().ifPresent(x -> b.setHasCas(true).setCas(x));
            c.setKvSet(b);
        } else if (op instanceof Kv.Delete o) {
            var b = io.tribune.agent.rpc.wire.KvDelete.newBuilder().setKey(o.key());
            o.cas().ifPresent(x -> b.setHasCas(true).setCas(x));
            c.setKvDelete(b);
        } else if (op instanceof Kv.DeleteTree o) {
            c.setKvDeleteTree(io.tribune.agent.rpc.wire.KvDeleteTree.newBuilder().setPrefix(o.prefix()));
        } else if (op instanceof Kv.Acquire o) {
            c.setKvAcquire(io.tribune.agent.rpc.wire.KvAcquire.newBuilder().setKey(o.key())
                    .setValue(ByteString.copyFrom(o.value())).setFlags(o.flags()).setSession(o.session()));
        } else if (op instanceof Kv.Release o) {
            c.setKvRelease(io.tribune.agent.rpc.wire.KvRelease.newBuilder().setKey(o.key())
                    .setValue(ByteString.copyFrom(o.value())).setFlags(o.flags()).setSession(o.session()));
        } else if (op instanceof io.tribune.agent.rpc.Acl.AclOp<?> o) {
            AclWire.encode(o, c);
        } else if (op instanceof io.tribune.agent.rpc.Queries.QueryOp<?> o) {
            QueryWire.encode(o, c);
        } else if (op instanceof io.tribune.agent.rpc.Autopilot.AutopilotOp<?> o) {
            AutopilotWire.encode(o, c);
        } else if (op instanceof Txn.Apply o) {
            c.setTxnApply(io.tribune.agent.rpc.wire.TxnApply.newBuilder().addAllOps(map(o.ops(), Wire::txnOp)));
        } else if (op instanceof Catalog.Register o) {
            var b = io.tribune.agent.rpc.wire.CatalogRegister.newBuilder().setNode(node(o.node()))
                    .addAllChecks(map(o.checks(), Wire::check)).setSkipNodeUpdate(o.skipNodeUpdate());
            o.service().ifPresent(x -> b.setHasService(true).setService(service(x)));
            c.setCatalogRegister(b);
        } else if (op instanceof Catalog.Deregister o) {
            c.setCatalogDeregister(io.tribune.agent.rpc.wire.CatalogDeregister.newBuilder().setNode(o.node())
                    .setServiceId(o.serviceId().orElse("")).setCheckId(o.checkId().orElse("")));
        } else if (op instanceof Catalog.Datacenters) {
            c.setCatalogDatacenters(io.tribune.agent.rpc.wire.CatalogDatacenters.getDefaultInstance());
        } else if (op instanceof Catalog.Nodes o) {
            c.setCatalogNodes(io.tribune.agent.rpc.wire.CatalogNodes.newBuilder().putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Catalog.Services o) {
            c.setCatalogServices(io.tribune.agent.rpc.wire.CatalogServices.newBuilder().putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Catalog.ServiceNodes o) {
            c.setCatalogServiceNodes(io.tribune.agent.rpc.wire.CatalogServiceNodes.newBuilder().setService(o.service())
                    .addAllTags(o.tags()).putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Catalog.ServicesOfNode o) {
            c.setCatalogNodeServices(io.tribune.agent.rpc.wire.CatalogNodeServices.newBuilder().setNode(o.node()));
        } else if (op instanceof Health.NodeChecks o) {
            c.setHealthNodeChecks(io.tribune.agent.rpc.wire.HealthNodeChecks.newBuilder().setNode(o.node()));
        } else if (op instanceof Health.ServiceChecks o) {
            c.setHealthServiceChecks(io.tribune.agent.rpc.wire.HealthServiceChecks.newBuilder().setService(o.service())
                    .putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Health.ChecksInState o) {
            c.setHealthChecksInState(io.tribune.agent.rpc.wire.HealthChecksInState.newBuilder()
                    .setState(o.status().map(HealthStatus::wire).orElse("")).putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Health.ServiceNodes o) {
            c.setHealthServiceNodes(io.tribune.agent.rpc.wire.HealthServiceNodes.newBuilder().setService(o.service())
                    .addAllTags(o.tags()).setPassingOnly(o.passingOnly()).putAllNodeMeta(o.nodeMeta()));
        } else if (op instanceof Sessions.Create o) {
            var b = io.tribune.agent.rpc.wire.SessionCreate.newBuilder().setName(o.name()).setNode(o.node())
                    .setLockDelayMillis(o.lockDelay().toMillis()).setBehavior(o.behavior().wire())
                    .setTtlMillis(o.ttl().toMillis());
            o.nodeChecks().ifPresent(l -> b.setHasNodeChecks(true).addAllNodeChecks(l));
            c.setSessionCreate(b);
        } else if (op instanceof Sessions.Destroy o) {
            c.setSessionDestroy(io.tribune.agent.rpc.wire.SessionDestroy.newBuilder().setId(o.id()));
        } else if (op instanceof Sessions.Renew o) {
            c.setSessionRenew(io.tribune.agent.rpc.wire.SessionRenew.newBuilder().setId(o.id()));
        } else if (op instanceof Sessions.Info o) {
            c.setSessionInfo(io.tribune.agent.rpc.wire.SessionInfo.newBuilder().setId(o.id()));
        } else if (op instanceof Sessions.OfNode o) {
            c.setSessionNode(io.tribune.agent.rpc.wire.SessionNode.newBuilder().setNode(o.node()));
        } else if (op instanceof Sessions.All) {
            c.setSessionList(io.tribune.agent.rpc.wire.SessionList.getDefaultInstance());
        } else if (op instanceof Events.Fire o) {
            c.setEventFire(io.tribune.agent.rpc.wire.EventFire.newBuilder().setName(o.name())
                    .setPayload(ByteString.copyFrom(o.payload())).setNodeFilter(o.nodeFilter())
                    .setServiceFilter(o.serviceFilter()).setTagFilter(o.tagFilter()));
        } else if (op instanceof Events.Named o) {
            c.setEventList(io.tribune.agent.rpc.wire.EventList.newBuilder().setName(o.name()));
        } else if (op instanceof Coordinates.Nodes) {
            c.setCoordinateNodes(io.tribune.agent.rpc.wire.CoordinateNodes.getDefaultInstance());
        } else if (op instanceof Coordinates.OfNode o) {
            c.setCoordinateNode(io.tribune.agent.rpc.wire.CoordinateNode.newBuilder().setNode(o.node()));
        } else if (op instanceof Coordinates.Wan) {
            c.setCoordinateWan(io.tribune.agent.rpc.wire.CoordinateWan.getDefaultInstance());
        } else if (op instanceof Coordinates.Update o) {
            c.setCoordinateUpdate(io.tribune.agent.rpc.wire.CoordinateUpdate.newBuilder()
                    .addAllCoordinates(map(o.coordinates(), Wire::coordinate)));
        } else if (op instanceof Status.Leader) {
            c.setStatusLeader(io.tribune.agent.rpc.wire.StatusLeader.getDefaultInstance());
        } else if (op instanceof Status.Peers) {
            c.setStatusPeers(io.tribune.agent.rpc.wire.StatusPeers.getDefaultInstance());
        } else if (op instanceof Operator.RaftConfiguration) {
            c.setRaftConfiguration(io.tribune.agent.rpc.wire.RaftConfiguration.getDefaultInstance());
        } else if (op instanceof Operator.RaftRemovePeer o) {
            c.setRaftRemovePeer(io.tribune.agent.rpc.wire.RaftRemovePeer.newBuilder().setId(o.id().orElse(""))
                    .setAddress(o.address().orElse("")));
        } else if (op instanceof Snapshots.Save) {
            c.setSnapshotSave(io.tribune.agent.rpc.wire.SnapshotSave.getDefaultInstance());
        } else if (op instanceof Snapshots.Restore o) {
            c.setSnapshotRestore(io.tribune.agent.rpc.wire.SnapshotRestore.newBuilder()
                    .setSnapshot(ByteString.copyFrom(o.snapshot())));
        } else {
            throw new AgentException(Kind.INTERNAL, op.opName() + " does not travel between agents");
        }
    }

    // ---------------------------------------------------------------- entities

    static io.tribune.agent.rpc.wire.KvEntry kv(KvEntry e) {
        return io.tribune.agent.rpc.wire.KvEntry.newBuilder().setKey(e.key()).setCreateIndex(e.createIndex())
                .setModifyIndex(e.modifyIndex()).setLockIndex(e.lockIndex()).setFlags(e.flags())
                .setValue(ByteString.copyFrom(e.value())).setSession(e.session()).build();
    }

    static KvEntry kv(io.tribune.agent.rpc.wire.KvEntry e) {
        return new KvEntry(e.getKey(), e.getCreateIndex(), e.getModifyIndex(), e.getLockIndex(), e.getFlags(),
                e.getValue().toByteArray(), e.getSession());
    }

    static io.tribune.agent.rpc.wire.Node node(Node n) {
        return io.tribune.agent.rpc.wire.Node.newBuilder().setId(n.id()).setNode(n.node()).setAddress(n.address())
                .setDatacenter(n.datacenter()).putAllTaggedAddresses(n.taggedAddresses()).putAllMeta(n.meta())
                .setCreateIndex(n.createIndex()).setModifyIndex(n.modifyIndex()).build();
    }

    static Node node(io.tribune.agent.rpc.wire.Node n) {
        return new Node(n.getId(), n.getNode(), n.getAddress(), n.getDatacenter(), ordered(n.getTaggedAddressesMap()),
                ordered(n.getMetaMap()), n.getCreateIndex(), n.getModifyIndex());
    }

    static io.tribune.agent.rpc.wire.NodeService service(NodeService s) {
        return io.tribune.agent.rpc.wire.NodeService.newBuilder().setId(s.id()).setService(s.service())
                .addAllTags(s.tags()).setAddress(s.address()).putAllMeta(s.meta()).setPort(s.port())
                .setWeights(io.tribune.agent.rpc.wire.Weights.newBuilder().setPassing(s.weights().passing())
                        .setWarning(s.weights().warning()))
                .setEnableTagOverride(s.enableTagOverride()).setCreateIndex(s.createIndex())
                .setModifyIndex(s.modifyIndex()).build();
    }

    static NodeService service(io.tribune.agent.rpc.wire.NodeService s) {
        NodeService.Weights w = s.hasWeights() ? new NodeService.Weights(s.getWeights().getPassing(),
                s.getWeights().getWarning()) : NodeService.Weights.DEFAULT;
        return new NodeService(s.getId(), s.getService(), List.copyOf(s.getTagsList()), s.getAddress(),
                ordered(s.getMetaMap()), s.getPort(), w, s.getEnableTagOverride(), s.getCreateIndex(),
                s.getModifyIndex());
    }

    static io.tribune.agent.rpc.wire.HealthCheck check(HealthCheck c) {
        return io.tribune.agent.rpc.wire.HealthCheck.newBuilder().setNode(c.node()).setCheckId(c.checkId())
                .setName(c.name()).setStatus(c.status().wire()).setNotes(c.notes()).setOutput(c.output())
                .setServiceId(c.serviceId()).setServiceName(c.serviceName()).addAllServiceTags(c.serviceTags())
                .setType(c.type()).setCreateIndex(c.createIndex()).setModifyIndex(c.modifyIndex()).build();
    }

    static HealthCheck check(io.tribune.agent.rpc.wire.HealthCheck c) {
        return new HealthCheck(c.getNode(), c.getCheckId(), c.getName(), status(c.getStatus()), c.getNotes(),
                c.getOutput(), c.getServiceId(), c.getServiceName(), List.copyOf(c.getServiceTagsList()), c.getType(),
                c.getCreateIndex(), c.getModifyIndex());
    }

    static io.tribune.agent.rpc.wire.Session session(Session s) {
        return io.tribune.agent.rpc.wire.Session.newBuilder().setId(s.id()).setName(s.name()).setNode(s.node())
                .setLockDelayMillis(s.lockDelayMillis()).setBehavior(s.behavior().wire()).setTtlMillis(s.ttlMillis())
                .addAllNodeChecks(s.nodeChecks()).setLastRenewMillis(s.lastRenewMillis())
                .setCreateIndex(s.createIndex()).setModifyIndex(s.modifyIndex()).build();
    }

    static Session session(io.tribune.agent.rpc.wire.Session s) {
        return new Session(s.getId(), s.getName(), s.getNode(), s.getLockDelayMillis(), behavior(s.getBehavior()),
                s.getTtlMillis(), List.copyOf(s.getNodeChecksList()), s.getLastRenewMillis(), s.getCreateIndex(),
                s.getModifyIndex());
    }

    static io.tribune.agent.rpc.wire.EventRecord event(EventRecord e) {
        return io.tribune.agent.rpc.wire.EventRecord.newBuilder().setId(e.id()).setName(e.name())
                .setPayload(ByteString.copyFrom(e.payload())).setNodeFilter(e.nodeFilter())
                .setServiceFilter(e.serviceFilter()).setTagFilter(e.tagFilter()).setLtime(e.ltime()).build();
    }

    static EventRecord event(io.tribune.agent.rpc.wire.EventRecord e) {
        return new EventRecord(e.getId(), e.getName(), e.getPayload().toByteArray(), e.getNodeFilter(),
                e.getServiceFilter(), e.getTagFilter(), e.getLtime());
    }

    static io.tribune.agent.rpc.wire.Coordinate coordinate(Coordinate c) {
        return io.tribune.agent.rpc.wire.Coordinate.newBuilder().setNode(c.node()).setSegment(c.segment())
                .addAllVec(c.vec()).setError(c.error()).setAdjustment(c.adjustment()).setHeight(c.height()).build();
    }

    static Coordinate coordinate(io.tribune.agent.rpc.wire.Coordinate c) {
        return new Coordinate(c.getNode(), c.getSegment(), List.copyOf(c.getVecList()), c.getError(),
                c.getAdjustment(), c.getHeight());
    }

    static io.tribune.agent.rpc.wire.TxnOp txnOp(TxnOp o) {
        return io.tribune.agent.rpc.wire.TxnOp.newBuilder().setVerb(o.verb().wire()).setKey(o.key())
                .setValue(ByteString.copyFrom(o.value())).setFlags(o.flags()).setIndex(o.index())
                .setSession(o.session()).build();
    }

    static TxnOp txnOp(io.tribune.agent.rpc.wire.TxnOp o) {
        TxnOp.Verb verb;
        try {
            verb = TxnOp.Verb.fromWire(o.getVerb());
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest("unknown KV verb '" + (o.getVerb().length() <= 64 ? o.getVerb() : o.getVerb().substring(0, 64) + "...") + "'");
        }
        return new TxnOp(verb, o.getKey(), o.getValue().toByteArray(), o.getFlags(), o.getIndex(), o.getSession());
    }

    static io.tribune.agent.rpc.wire.TxnOutcome txnOutcome(CommandResult.TxnOutcome t) {
        var b = io.tribune.agent.rpc.wire.TxnOutcome.newBuilder().setCommitted(t.committed())
                .addAllResults(map(t.results(), Wire::kv));
        t.errors().forEach(e -> b.addErrors(io.tribune.agent.rpc.wire.TxnError.newBuilder().setOpIndex(e.opIndex())
                .setWhat(e.what())));
        return b.build();
    }

    static CommandResult.TxnOutcome txnOutcome(io.tribune.agent.rpc.wire.TxnOutcome t) {
        List<CommandResult.TxnError> errors = map(t.getErrorsList(), e -> new CommandResult.TxnError(e.getOpIndex(),
                e.getWhat()));
        return t.getCommitted() ? new CommandResult.TxnOutcome(map(t.getResultsList(), Wire::kv), List.of())
                : new CommandResult.TxnOutcome(List.of(), errors);
    }

    // ---------------------------------------------------------------- enums and helpers

    static Consistency consistency(ReadConsistency c) {
        return switch (c) {
            case DEFAULT -> Consistency.CONSISTENCY_DEFAULT;
            case CONSISTENT -> Consistency.CONSISTENCY_CONSISTENT;
            case STALE -> Consistency.CONSISTENCY_STALE;
        };
    }

    static ReadConsistency consistency(Consistency c) {
        return switch (c) {
            case CONSISTENCY_CONSISTENT -> ReadConsistency.CONSISTENT;
            case CONSISTENCY_STALE -> ReadConsistency.STALE;
            case CONSISTENCY_DEFAULT -> ReadConsistency.DEFAULT;
            default -> throw AgentException.badRequest("unknown consistency " + c);
        };
    }

    static io.tribune.agent.rpc.wire.Hop hop(Envelope.Hop h) {
        return switch (h) {
            case NONE -> io.tribune.agent.rpc.wire.Hop.HOP_NONE;
            case CLIENT -> io.tribune.agent.rpc.wire.Hop.HOP_CLIENT;
            case DATACENTER -> io.tribune.agent.rpc.wire.Hop.HOP_DATACENTER;
            case LEADER -> io.tribune.agent.rpc.wire.Hop.HOP_LEADER;
        };
    }

    static Envelope.Hop hop(io.tribune.agent.rpc.wire.Hop h) {
        return switch (h) {
            case HOP_CLIENT -> Envelope.Hop.CLIENT;
            case HOP_DATACENTER -> Envelope.Hop.DATACENTER;
            case HOP_LEADER -> Envelope.Hop.LEADER;
            case HOP_NONE -> Envelope.Hop.NONE;
            default -> throw AgentException.badRequest("unknown hop " + h);
        };
    }

    static ErrorKind errorKind(Kind k) {
        return switch (k) {
            case BAD_REQUEST -> ErrorKind.ERROR_KIND_BAD_REQUEST;
            case NOT_FOUND -> ErrorKind.ERROR_KIND_NOT_FOUND;
            case PERMISSION_DENIED -> ErrorKind.ERROR_KIND_PERMISSION_DENIED;
            case CONFLICT -> ErrorKind.ERROR_KIND_CONFLICT;
            case TOO_LARGE -> ErrorKind.ERROR_KIND_TOO_LARGE;
            case LIMIT -> ErrorKind.ERROR_KIND_LIMIT;
            case NO_LEADER -> ErrorKind.ERROR_KIND_NO_LEADER;
            case NO_PATH_TO_DATACENTER -> ErrorKind.ERROR_KIND_NO_PATH_TO_DATACENTER;
            case NO_SERVERS -> ErrorKind.ERROR_KIND_NO_SERVERS;
            case OUTCOME_UNKNOWN -> ErrorKind.ERROR_KIND_OUTCOME_UNKNOWN;
            case TIMEOUT -> ErrorKind.ERROR_KIND_TIMEOUT;
            case UNAVAILABLE -> ErrorKind.ERROR_KIND_UNAVAILABLE;
            case UNSUPPORTED -> ErrorKind.ERROR_KIND_UNSUPPORTED;
            case INTERNAL -> ErrorKind.ERROR_KIND_INTERNAL;
        };
    }

    static Kind kind(ErrorKind k) {
        return switch (k) {
            case ERROR_KIND_BAD_REQUEST -> Kind.BAD_REQUEST;
            case ERROR_KIND_NOT_FOUND -> Kind.NOT_FOUND;
            case ERROR_KIND_PERMISSION_DENIED -> Kind.PERMISSION_DENIED;
            case ERROR_KIND_CONFLICT -> Kind.CONFLICT;
            case ERROR_KIND_TOO_LARGE -> Kind.TOO_LARGE;
            case ERROR_KIND_LIMIT -> Kind.LIMIT;
            case ERROR_KIND_NO_LEADER -> Kind.NO_LEADER;
            case ERROR_KIND_NO_PATH_TO_DATACENTER -> Kind.NO_PATH_TO_DATACENTER;
            case ERROR_KIND_NO_SERVERS -> Kind.NO_SERVERS;
            case ERROR_KIND_OUTCOME_UNKNOWN -> Kind.OUTCOME_UNKNOWN;
            case ERROR_KIND_TIMEOUT -> Kind.TIMEOUT;
            case ERROR_KIND_UNAVAILABLE -> Kind.UNAVAILABLE;
            case ERROR_KIND_UNSUPPORTED -> Kind.UNSUPPORTED;
            default -> Kind.INTERNAL;
        };
    }

    private static HealthStatus status(String s) {
        try {
            return HealthStatus.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest(e.getMessage());
        }
    }

    private static SessionBehavior behavior(String s) {
        try {
            return SessionBehavior.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest(e.getMessage());
        }
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /** A protobuf map (hash-ordered) as a map with a stable order, sorted by key. */
    private static Map<String, String> ordered(Map<String, String> m) {
        return new java.util.TreeMap<>(m);
    }

    /** Each element of {@code in} through {@code f}, in order (a new, modifiable list). */
    static <A, B> List<B> map(List<A> in, Function<A, B> f) {
        List<B> out = new ArrayList<>(in.size());
        for (A a : in) {
            out.add(f.apply(a));
        }
        return out;
    }

    /**
     * The one element of an answer's list that must hold exactly one {@code what}.
     *
     * @throws IllegalArgumentException when it holds none or several
     */
    static <T> T one(List<T> l, String what) {
        if (l.size() != 1) {
            throw new IllegalArgumentException("the answer must hold one " + what + ", got " + l.size());
        }
        return l.get(0);
    }

    /**
     * The element of an answer's list that holds at most one {@code what}; empty when none.
     *
     * @throws IllegalArgumentException when it holds several
     */
    static <T> Optional<T> atMostOne(List<T> l, String what) {
        if (l.size() > 1) {
            throw new IllegalArgumentException("the answer must hold at most one " + what + ", got " + l.size());
        }
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }
}
