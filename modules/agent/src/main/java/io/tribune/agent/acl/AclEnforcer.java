package io.tribune.agent.acl;

import io.tribune.acl.Authorizer;
import io.tribune.acl.Resource;
import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Coordinates;
import io.tribune.agent.rpc.Events;
import io.tribune.agent.rpc.Health;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Sessions;
import io.tribune.agent.rpc.Snapshots;
import io.tribune.agent.rpc.Status;
import io.tribune.agent.rpc.Txn;
import io.tribune.api.membership.Member;
import io.tribune.state.AclToken;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.KvEntry;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.NodeServices;
import io.tribune.state.ServiceHealth;
import io.tribune.state.ServiceInstance;
import io.tribune.state.Session;
import io.tribune.state.StateStore;
import io.tribune.state.TxnOp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What each operation needs from a token, and how a read's answer is cut to what the token may see
 * (Consul's checks at the top of each endpoint, and its {@code acl_filter}). One table for every
 * front end: changes the token may not make are refused with
 * {@link AgentException.Kind#PERMISSION_DENIED} ("Permission denied"), and reads of many objects
 * are filtered rather than refused.
 *
 * <p>Where Consul looks up the service of a check or of a local service ID, this table asks for
 * write on the agent's node instead (stricter: a token that may write the node may change any of its
 * checks). An operation this table does not know needs {@code operator} read (reads) or write
 * (changes), so a new operation is never open by accident.
 *
 * <p>Stateless and thread-safe; never logs tokens.
 */
public final class AclEnforcer {
    /** Consul's message. */
    public static final String DENIED = "Permission denied";

    private AclEnforcer() {
    }

    /** The SecretID shown to callers who may read tokens but not change ACLs. */
    public static final String HIDDEN_SECRET = "<hidden>";

    /** {@link AgentException.Kind#PERMISSION_DENIED} with Consul's message. */
    public static AgentException denied() {
        return new AgentException(AgentException.Kind.PERMISSION_DENIED, DENIED);
    }

    /**
     * Whether {@code op} needs no token at all: the bootstrap (allowed once), the caller's own token,
     * and status questions.
     */
    public static boolean exempt(Op<?> op) {
        return op instanceof Acl.Bootstrap || op instanceof Acl.TokenSelf || op instanceof Acl.Resolve
                || op instanceof Acl.ReplicationStatus
                || op instanceof Acl.LegacyInfo || op instanceof Status.Leader || op instanceof Status.Peers
                || op instanceof Catalog.Datacenters || op instanceof io.tribune.agent.rpc.Coordinates.Wan;
    }

    /**
     * Checks that {@code a} may run {@code op}.
     *
     * @param state      the server's state, for operations whose target must be looked up (a session's
     *                   node); empty on a client agent, where only agent operations are checked
     * @param localNode  this agent's node name (agent operations)
     * @param originNode the agent where the request entered (a new session's default node)
     * @throws AgentException PERMISSION_DENIED when it may not
     */
    public static void check(Op<?> op, Authorizer a, Optional<StateStore> state, String localNode, String originNode) {
        if (exempt(op) || allowed(op, a, state, localNode, originNode)) {
            return;
        }
        throw denied();
    }

    private static boolean allowed(Op<?> op, Authorizer a, Optional<StateStore> state, String localNode,
                                   String originNode) {
        // ---- KV
        if (op instanceof Kv.Get o) {
            return a.read(Resource.KEY, o.key());
        }
        if (op instanceof Kv.Entries || op instanceof Kv.Keys) {
            return true;
        }
        if (op instanceof Kv.Set o) {
            return a.write(Resource.KEY, o.key());
        }
        if (op instanceof Kv.Delete o) {
            return a.write(Resource.KEY, o.key());
        }
        if (op instanceof Kv.DeleteTree o) {
            return a.writePrefix(Resource.KEY, o.prefix());
        }
        if (op instanceof Kv.Acquire o) {
            return a.write(Resource.KEY, o.key());
        }
        if (op instanceof Kv.Release o) {
            return a.write(Resource.KEY, o.key());
        }
        if (op instanceof Txn.Apply o) {
            for (TxnOp t : o.ops()) {
                boolean ok = switch (t.verb()) {
                    case GET, GET_TREE, CHECK_INDEX, CHECK_SESSION, CHECK_NOT_EXISTS -> a.read(Resource.KEY, t.key());
                    case DELETE_TREE -> a.writePrefix(Resource.KEY, t.key());
                    default -> a.write(Resource.KEY, t.key());
                };
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
        // ---- catalog and health
        if (op instanceof Catalog.Register o) {
            if (o.service().isPresent() && !a.write(Resource.SERVICE, o.service().get().service())) {
                return false;
            }
            if ((o.service().isEmpty() || !o.skipNodeUpdate()) && !a.write(Resource.NODE, o.node().node())) {
                return false;
            }
            for (HealthCheck c : o.checks()) {
                boolean ok = c.serviceName().isEmpty() ? a.write(Resource.NODE, o.node().node())
                        : a.write(Resource.SERVICE, c.serviceName());
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
        if (op instanceof Catalog.Deregister o) {
            if (o.serviceId().isPresent() && state.isPresent()) {
                Optional<NodeServices> ns = state.get().nodeServices(o.node()).value();
                Optional<String> name = ns.flatMap(n -> n.services().stream()
                        .filter(s -> s.id().equals(o.serviceId().get())).map(NodeService::service).findFirst());
                if (name.isPresent()) {
                    return a.write(Resource.SERVICE, name.get()) || a.write(Resource.NODE, o.node());
                }
            }
            return a.write(Resource.NODE, o.node());
        }
        if (op instanceof Catalog.Nodes || op instanceof Catalog.Services || op instanceof Catalog.ServiceNodes
                || op instanceof Catalog.ServicesOfNode || op instanceof Health.NodeChecks
                || op instanceof Health.ServiceChecks || op instanceof Health.ChecksInState
                || op instanceof Health.ServiceNodes) {
            return true;
        }
        // ---- sessions
        if (op instanceof Sessions.Create o) {
            return a.write(Resource.SESSION, o.node().isEmpty() ? originNode : o.node());
        }
        if (op instanceof Sessions.Destroy o) {
            return sessionWrite(a, state, o.id());
        }
        if (op instanceof Sessions.Renew o) {
            return sessionWrite(a, state, o.id());
        }
        if (op instanceof Sessions.Info || op instanceof Sessions.OfNode || op instanceof Sessions.All) {
            return true;
        }
        // ---- events and coordinates
        if (op instanceof Events.Fire o) {
            return a.write(Resource.EVENT, o.name());
        }
        if (op instanceof Events.Named) {
            return true;
        }
        if (op instanceof Coordinates.Update o) {
            for (Coordinate c : o.coordinates()) {
                if (!a.write(Resource.NODE, c.node())) {
                    return false;
                }
            }
            return true;
        }
        if (op instanceof Coordinates.Nodes || op instanceof Coordinates.OfNode) {
            return true;
        }
        // ---- operator, snapshots
        if (op instanceof Operator.RaftConfiguration) {
            return a.operatorRead();
        }
        // autopilot: reading the configuration or health is operator:read, setting it operator:write
        if (op instanceof io.tribune.agent.rpc.Autopilot.SetConfig) {
            return a.operatorWrite();
        }
        if (op instanceof io.tribune.agent.rpc.Autopilot.AutopilotOp) {
            return a.operatorRead();
        }
        if (op instanceof Operator.RaftRemovePeer) {
            return a.operatorWrite();
        }
        if (op instanceof Operator.Keyring o) {
            return o.verb() == Operator.KeyringVerb.LIST ? a.keyringRead() : a.keyringWrite();
        }
        if (op instanceof Snapshots.Save || op instanceof Snapshots.Restore) {
            // Consul: a snapshot holds every secret, so only management may take or restore one.
            return a.aclWrite();
        }
        // ---- ACLs
        if (op instanceof Acl.PolicyRead || op instanceof Acl.PolicyList || op instanceof Acl.TokenRead
                || op instanceof Acl.TokenList || op instanceof Acl.TranslateRules) {
            return a.aclRead();
        }
        if (op instanceof Acl.AclOp && !(op instanceof Acl.SetAgentToken)) {
            return a.aclWrite();
        }
        // ---- prepared queries (their rules live with them)
        if (op instanceof io.tribune.agent.rpc.Queries.QueryOp<?> q) {
            return io.tribune.agent.query.QueryAccess.allowed(q, a, state);
        }
        // ---- obs: observing this agent (Consul: monitor needs agent:read, host operator:read)
        if (op instanceof io.tribune.agent.rpc.Observe.Monitor) {
            return a.read(Resource.AGENT, localNode);
        }
        if (op instanceof io.tribune.agent.rpc.Observe.Host) {
            return a.operatorRead();
        }
        // ---- this agent
        if (op instanceof AgentOps.Self || op instanceof AgentOps.Plugins
                || op instanceof io.tribune.agent.rpc.MetricsOps.Read) {
            return a.read(Resource.AGENT, localNode);
        }
        if (op instanceof AgentOps.Members || op instanceof AgentOps.Services || op instanceof AgentOps.LocalChecks) {
            return true;
        }
        if (op instanceof AgentOps.RegisterService o) {
            return a.write(Resource.SERVICE, o.definition().service().service());
        }
        if (op instanceof AgentOps.RegisterCheck o) {
            String svc = o.definition().check().serviceName();
            return svc.isEmpty() ? a.write(Resource.NODE, localNode)
                    : a.write(Resource.SERVICE, svc) || a.write(Resource.NODE, localNode);
        }
        if (op instanceof AgentOps.DeregisterService || op instanceof AgentOps.DeregisterCheck
                || op instanceof AgentOps.UpdateTtl || op instanceof AgentOps.NodeMaintenance
                || op instanceof AgentOps.ServiceMaintenance) {
            return a.write(Resource.NODE, localNode);
        }
        if (op instanceof AgentOps.Join || op instanceof AgentOps.Leave || op instanceof AgentOps.ForceLeave
                || op instanceof Acl.SetAgentToken
                // config feature: reload, agent:write as in Consul
                || op instanceof AgentOps.Reload) {
            return a.write(Resource.AGENT, localNode);
        }
        // Unknown to this table: operator rights, so that nothing new is open by accident.
        return op instanceof Op.Read || op instanceof Op.ServerOp ? a.operatorRead() : a.operatorWrite();
    }

    private static boolean sessionWrite(Authorizer a, Optional<StateStore> state, String id) {
        if (state.isEmpty()) {
            return true;
        }
        Optional<Session> s = state.get().session(id).value();
        // A missing session: the operation answers "not found" itself and changes nothing.
        return s.isEmpty() || a.write(Resource.SESSION, s.get().node());
    }

    /** Whether answers to {@code op} are filtered at all (most single-object operations are not). */
    public static boolean filters(Op<?> op) {
        return op instanceof Kv.Entries || op instanceof Kv.Keys || op instanceof Catalog.Nodes
                || op instanceof Catalog.Services || op instanceof Catalog.ServiceNodes
                || op instanceof Catalog.ServicesOfNode || op instanceof Health.NodeChecks
                || op instanceof Health.ServiceChecks || op instanceof Health.ChecksInState
                || op instanceof AgentOps.LocalChecks || op instanceof Health.ServiceNodes
                || op instanceof Sessions.Info || op instanceof Sessions.OfNode || op instanceof Sessions.All
                || op instanceof Events.Named || op instanceof Coordinates.Nodes || op instanceof Coordinates.OfNode
                || op instanceof AgentOps.Members || op instanceof AgentOps.Services || op instanceof Acl.TokenRead
                || op instanceof Acl.TokenList || io.tribune.agent.query.QueryAccess.filters(op);
    }

    /**
     * {@code value}, the answer to {@code op}, cut to what {@code a} may read. Values of operations
     * that need no filtering are returned as they are.
     */
    @SuppressWarnings("unchecked")
    public static Object filter(Op<?> op, Object value, Authorizer a, boolean mayWriteAcl) {
        if (op instanceof Kv.Entries) {
            return only((List<KvEntry>) value, e -> a.read(Resource.KEY, e.key()));
        }
        if (op instanceof Kv.Keys) {
            return only((List<String>) value, k -> a.read(Resource.KEY, k));
        }
        if (op instanceof Catalog.Nodes) {
            return only((List<Node>) value, n -> a.read(Resource.NODE, n.node()));
        }
        if (op instanceof Catalog.Services) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            ((Map<String, List<String>>) value).forEach((k, v) -> {
                if (a.read(Resource.SERVICE, k)) {
                    out.put(k, v);
                }
            });
            return out;
        }
        if (op instanceof Catalog.ServiceNodes o) {
            if (!a.read(Resource.SERVICE, o.service())) {
                return List.of();
            }
            return only((List<ServiceInstance>) value, i -> a.read(Resource.NODE, i.node().node()));
        }
        if (op instanceof Catalog.ServicesOfNode) {
            Optional<NodeServices> ns = (Optional<NodeServices>) value;
            if (ns.isEmpty() || !a.read(Resource.NODE, ns.get().node().node())) {
                return Optional.empty();
            }
            return Optional.of(new NodeServices(ns.get().node(), only(ns.get().services(),
                    s -> a.read(Resource.SERVICE, s.service()))));
        }
        if (op instanceof Health.NodeChecks || op instanceof Health.ServiceChecks
                || op instanceof Health.ChecksInState || op instanceof AgentOps.LocalChecks) {
            return only((List<HealthCheck>) value, c -> checkVisible(a, c));
        }
        if (op instanceof Health.ServiceNodes) {
            return only((List<ServiceHealth>) value, h -> a.read(Resource.NODE, h.node().node())
                    && a.read(Resource.SERVICE, h.service().service()));
        }
        if (op instanceof Sessions.Info) {
            return ((Optional<Session>) value).filter(s -> a.read(Resource.SESSION, s.node()));
        }
        if (op instanceof Sessions.OfNode || op instanceof Sessions.All) {
            return only((List<Session>) value, s -> a.read(Resource.SESSION, s.node()));
        }
        if (op instanceof Events.Named) {
            return only((List<EventRecord>) value, e -> a.read(Resource.EVENT, e.name()));
        }
        if (op instanceof Coordinates.Nodes || op instanceof Coordinates.OfNode) {
            return only((List<Coordinate>) value, c -> a.read(Resource.NODE, c.node()));
        }
        if (op instanceof AgentOps.Members) {
            return only((List<Member>) value, m -> a.read(Resource.NODE, m.name()));
        }
        if (op instanceof AgentOps.Services) {
            return only((List<NodeService>) value, s -> a.read(Resource.SERVICE, s.service()));
        }
        if (op instanceof io.tribune.agent.rpc.Queries.QueryOp) {
            return io.tribune.agent.query.QueryAccess.filter(op, value, a, mayWriteAcl);
        }
        if (!mayWriteAcl && (op instanceof Acl.TokenRead)) {
            return ((Optional<Acl.TokenInfo>) value).map(AclEnforcer::redact);
        }
        if (!mayWriteAcl && op instanceof Acl.TokenList) {
            List<Acl.TokenInfo> out = new ArrayList<>();
            ((List<Acl.TokenInfo>) value).forEach(t -> out.add(redact(t)));
            return out;
        }
        return value;
    }

    /** A node check is read with the node, a service check with its service (Consul's rule). */
    private static boolean checkVisible(Authorizer a, HealthCheck c) {
        return c.serviceName().isEmpty() ? a.read(Resource.NODE, c.node()) : a.read(Resource.SERVICE, c.serviceName());
    }

    /** A token without its secret, for callers who may read ACLs but not change them. */
    static Acl.TokenInfo redact(Acl.TokenInfo t) {
        AclToken x = t.token();
        return new Acl.TokenInfo(new AclToken(x.accessorId(), HIDDEN_SECRET, x.description(), x.policyIds(), x.local(),
                x.createTimeMillis(), x.hash(), x.legacyType(), x.legacyRules(), x.createIndex(), x.modifyIndex()),
                t.policies());
    }

    private static <T> List<T> only(List<T> in, Predicate<T> keep) {
        List<T> out = new ArrayList<>(in.size());
        for (T t : in) {
            if (keep.test(t)) {
                out.add(t);
            }
        }
        return out.size() == in.size() ? in : out;
    }
}
