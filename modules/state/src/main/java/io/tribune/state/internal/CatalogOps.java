package io.tribune.state.internal;

import io.tribune.state.Change;
import io.tribune.state.Change.Op;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandResult.Failed.Kind;
import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.Session;
import io.tribune.state.StateStore;
import io.tribune.state.Table;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Catalog, session, event and coordinate writes on a {@link Tx}. Deterministic: every iteration
 * is over sorted persistent maps or sorted sets.
 */
final class CatalogOps {
    private CatalogOps() {
    }

    static CommandResult apply(Tx tx, Command c) {
        if (c instanceof Command.Register r) {
            return register(tx, r);
        } else if (c instanceof Command.Deregister d) {
            return deregister(tx, d);
        } else if (c instanceof Command.SessionCreate s) {
            return sessionCreate(tx, s.session());
        } else if (c instanceof Command.SessionRenew s) {
            return sessionRenew(tx, s.id(), s.nowMillis());
        } else if (c instanceof Command.SessionDestroy s) {
            Session ses = tx.sessions.get(s.id());
            if (ses != null) {
                invalidate(tx, ses, s.nowMillis());
            }
            return new CommandResult.Bool(ses != null);
        } else if (c instanceof Command.EventFire e) {
            return eventFire(tx, e.event());
        } else if (c instanceof Command.CoordinateUpdate u) {
            return coordinates(tx, u.coordinates());
        }
        return new CommandResult.Failed(Kind.INVALID, "unsupported command " + c.getClass().getSimpleName());
    }

    // ------------------------------------------------------------------ register

    private static CommandResult register(Tx tx, Command.Register r) {
        Tx.Mark mark = tx.mark();
        String nodeName = r.node().node();
        String id = idKey(r.node().id());
        if (!id.isEmpty()) {
            String owner = tx.nodesById.get(id);
            if (owner != null && !owner.equals(nodeName)) {
                // Two names for one node ID would split its sessions and checks (Consul refuses too).
                return new CommandResult.Failed(Kind.REJECTED, "node ID \"" + r.node().id() + "\" for node \""
                        + nodeName + "\" aliases existing node \"" + owner + "\"");
            }
        }
        Node old = tx.nodes.get(nodeName);
        if (old == null || !old.sameContent(r.node().withIndexes(old.createIndex(), old.modifyIndex()))) {
            Node n = r.node().withIndexes(old == null ? tx.index : old.createIndex(), tx.index);
            tx.nodes = tx.nodes.put(nodeName, n);
            if (old != null && !old.id().isEmpty()) {
                tx.nodesById = tx.nodesById.remove(idKey(old.id()));
            }
            if (!id.isEmpty()) {
                tx.nodesById = tx.nodesById.put(id, nodeName);
            }
            // The node's address and meta appear in every service listing of the node.
            emitNodeWide(tx, nodeName, Table.NODES, Op.UPSERT, nodeName);
        }
        if (r.service().isPresent()) {
            putService(tx, nodeName, r.service().get());
        }
        for (HealthCheck hc : r.checks()) {
            String err = putCheck(tx, nodeName, hc, r.nowMillis());
            if (err != null) {
                tx.rollback(mark);
                return new CommandResult.Failed(Kind.NOT_FOUND, err);
            }
        }
        return new CommandResult.Done();
    }

    private static void putService(Tx tx, String node, NodeService svc) {
        Key2 key = new Key2(node, svc.id());
        NodeService old = tx.services.get(key);
        if (old != null && old.sameContent(svc.withIndexes(old.createIndex(), old.modifyIndex()))) {
            return;
        }
        NodeService s = svc.withIndexes(old == null ? tx.index : old.createIndex(), tx.index);
        tx.services = tx.services.put(key, s);
        if (old != null && !old.service().equals(s.service())) {
            // Renamed: the old name loses an instance; watchers of it must wake.
            decName(tx, old.service(), node);
            emit(tx, Table.SERVICES, Op.DELETE, s.id(), node, old.service());
        }
        if (old == null || !old.service().equals(s.service())) {
            tx.servicesByName = tx.servicesByName.put(new Key2(s.service(), node),
                    tx.servicesByName.get(new Key2(s.service(), node)) == null ? 1
                            : tx.servicesByName.get(new Key2(s.service(), node)) + 1);
        }
        emit(tx, Table.SERVICES, Op.UPSERT, s.id(), node, s.service());
        // Checks carry their service's name and tags; keep them in step.
        for (HealthCheck hc : rangeValues(tx.checks, node)) {
            if (hc.serviceId().equals(s.id())
                    && (!hc.serviceName().equals(s.service()) || !hc.serviceTags().equals(s.tags()))) {
                HealthCheck updated = hc.withService(s.service(), s.tags()).withIndexes(hc.createIndex(), tx.index);
                tx.checks = tx.checks.put(new Key2(node, hc.checkId()), updated);
                emit(tx, Table.CHECKS, Op.UPSERT, hc.checkId(), node, s.service());
            }
        }
    }

    /** Returns an error message, or null. */
    private static String putCheck(Tx tx, String node, HealthCheck hc, long nowMillis) {
        HealthCheck c = hc;
        if (!c.serviceId().isEmpty()) {
            NodeService svc = tx.services.get(new Key2(node, c.serviceId()));
            if (svc == null) {
                return "unknown service ID \"" + c.serviceId() + "\" for check \"" + c.checkId() + "\" on node \""
                        + node + "\"";
            }
            c = c.withService(svc.service(), svc.tags());
        } else {
            c = c.withService("", List.of());
        }
        Key2 key = new Key2(node, c.checkId());
        HealthCheck old = tx.checks.get(key);
        if (old != null && old.sameContent(c.withIndexes(old.createIndex(), old.modifyIndex()))) {
            return null;
        }
        c = c.withIndexes(old == null ? tx.index : old.createIndex(), tx.index);
        tx.checks = tx.checks.put(key, c);
        if (old != null && !old.serviceName().isEmpty() && !old.serviceName().equals(c.serviceName())) {
            emit(tx, Table.CHECKS, Op.UPSERT, c.checkId(), node, old.serviceName());
        }
        if (c.serviceId().isEmpty()) {
            // A node check decides the health of every service on the node.
            emitNodeWide(tx, node, Table.CHECKS, Op.UPSERT, c.checkId());
        } else {
            emit(tx, Table.CHECKS, Op.UPSERT, c.checkId(), node, c.serviceName());
        }
        if (c.status() == HealthStatus.CRITICAL) {
            invalidateSessionsOnCheck(tx, node, c.checkId(), nowMillis);
        }
        return null;
    }

    // ------------------------------------------------------------------ deregister

    private static CommandResult deregister(Tx tx, Command.Deregister d) {
        String node = d.node();
        if (tx.nodes.get(node) == null) {
            return new CommandResult.Done();
        }
        if (d.serviceId().isPresent()) {
            removeService(tx, node, d.serviceId().get(), d.nowMillis());
        } else if (d.checkId().isPresent()) {
            removeCheck(tx, node, d.checkId().get(), d.nowMillis());
        } else {
            removeNode(tx, node, d.nowMillis());
        }
        return new CommandResult.Done();
    }

    private static void removeService(Tx tx, String node, String id, long nowMillis) {
        Key2 key = new Key2(node, id);
        NodeService old = tx.services.get(key);
        if (old == null) {
            return;
        }
        for (HealthCheck hc : rangeValues(tx.checks, node)) {
            if (hc.serviceId().equals(id)) {
                removeCheck(tx, node, hc.checkId(), nowMillis);
            }
        }
        tx.services = tx.services.remove(key);
        decName(tx, old.service(), node);
        emit(tx, Table.SERVICES, Op.DELETE, id, node, old.service());
    }

    private static void removeCheck(Tx tx, String node, String checkId, long nowMillis) {
        Key2 key = new Key2(node, checkId);
        HealthCheck old = tx.checks.get(key);
        if (old == null) {
            return;
        }
        tx.checks = tx.checks.remove(key);
        if (old.serviceId().isEmpty()) {
            emitNodeWide(tx, node, Table.CHECKS, Op.DELETE, checkId);
        } else {
            emit(tx, Table.CHECKS, Op.DELETE, checkId, node, old.serviceName());
        }
        invalidateSessionsOnCheck(tx, node, checkId, nowMillis);
    }

    private static void removeNode(Tx tx, String node, long nowMillis) {
        for (Session s : sessionsOf(tx, node)) {
            invalidate(tx, s, nowMillis);
        }
        for (HealthCheck hc : rangeValues(tx.checks, node)) {
            if (hc.serviceId().isEmpty()) {
                removeCheck(tx, node, hc.checkId(), nowMillis);
            }
        }
        for (NodeService s : rangeValues(tx.services, node)) {
            removeService(tx, node, s.id(), nowMillis);
        }
        for (Coordinate co : rangeValues(tx.coordinates, node)) {
            tx.coordinates = tx.coordinates.remove(new Key2(node, co.segment()));
            emit(tx, Table.COORDINATES, Op.DELETE, node, node, "");
        }
        Node gone = tx.nodes.get(node);
        if (!gone.id().isEmpty()) {
            tx.nodesById = tx.nodesById.remove(idKey(gone.id()));
        }
        tx.nodes = tx.nodes.remove(node);
        emit(tx, Table.NODES, Op.DELETE, node, node, "");
        // The node is gone: its reported index falls back to the catalog tables' maximum, which is
        // at least this index, so it never goes backwards.
        tx.nodeIndex = tx.nodeIndex.remove(node);
    }

    // ------------------------------------------------------------------ sessions

    private static CommandResult sessionCreate(Tx tx, Session s) {
        if (tx.sessions.get(s.id()) != null) {
            return new CommandResult.Failed(Kind.REJECTED, "session \"" + s.id() + "\" already exists");
        }
        if (tx.nodes.get(s.node()) == null) {
            return new CommandResult.Failed(Kind.NOT_FOUND, "missing node registration for \"" + s.node() + "\"");
        }
        for (String check : s.nodeChecks()) {
            HealthCheck hc = tx.checks.get(new Key2(s.node(), check));
            if (hc == null) {
                return new CommandResult.Failed(Kind.NOT_FOUND, "missing check \"" + check + "\" registration");
            }
            if (hc.status() == HealthStatus.CRITICAL) {
                // A session bound to a failing check would be invalidated at once (Consul refuses too).
                return new CommandResult.Failed(Kind.REJECTED, "check \"" + check + "\" is in critical state");
            }
        }
        Session stored = new Session(s.id(), s.name(), s.node(), s.lockDelayMillis(), s.behavior(), s.ttlMillis(),
                new ArrayList<>(new TreeSet<>(s.nodeChecks())), s.lastRenewMillis(), tx.index, tx.index);
        tx.sessions = tx.sessions.put(s.id(), stored);
        tx.sessionsByNode = tx.sessionsByNode.put(new Key2(s.node(), s.id()), Boolean.TRUE);
        emit(tx, Table.SESSIONS, Op.UPSERT, s.id(), s.node(), "");
        return new CommandResult.Done();
    }

    private static CommandResult sessionRenew(Tx tx, String id, long nowMillis) {
        Session s = tx.sessions.get(id);
        if (s == null) {
            return new CommandResult.Failed(Kind.NOT_FOUND, "session \"" + id + "\" not found");
        }
        long renewed = Math.max(s.lastRenewMillis(), nowMillis);
        tx.sessions = tx.sessions.put(id, new Session(s.id(), s.name(), s.node(), s.lockDelayMillis(), s.behavior(),
                s.ttlMillis(), s.nodeChecks(), renewed, s.createIndex(), s.modifyIndex()));
        tx.markDirty();
        return new CommandResult.Done();
    }

    /** Removes a session and applies its behaviour to its locks. */
    static void invalidate(Tx tx, Session s, long nowMillis) {
        KvOps.releaseAllOf(tx, s, nowMillis);
        tx.sessions = tx.sessions.remove(s.id());
        tx.sessionsByNode = tx.sessionsByNode.remove(new Key2(s.node(), s.id()));
        emit(tx, Table.SESSIONS, Op.DELETE, s.id(), s.node(), "");
        // Consul deletes the prepared queries bound to a session with it.
        QueryOps.deleteForSession(tx, s.id());
    }

    private static void invalidateSessionsOnCheck(Tx tx, String node, String checkId, long nowMillis) {
        for (Session s : sessionsOf(tx, node)) {
            if (s.nodeChecks().contains(checkId)) {
                invalidate(tx, s, nowMillis);
            }
        }
    }

    private static List<Session> sessionsOf(Tx tx, String node) {
        List<Session> out = new ArrayList<>();
        Iterator<Map.Entry<Key2, Boolean>> it = tx.sessionsByNode.iteratorFrom(Key2.first(node));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(node)) {
                break;
            }
            out.add(tx.sessions.get(k.b()));
        }
        return out;
    }

    // ------------------------------------------------------------------ events, coordinates

    private static CommandResult eventFire(Tx tx, EventRecord e) {
        List<EventRecord> next = new ArrayList<>(tx.events.size() + 1);
        int drop = Math.max(0, tx.events.size() + 1 - StateStore.MAX_EVENTS);
        next.addAll(tx.events.subList(drop, tx.events.size()));
        next.add(e.withLtime(tx.index));
        tx.events = List.copyOf(next);
        emit(tx, Table.EVENTS, Op.UPSERT, e.id(), "", "");
        return new CommandResult.Done();
    }

    private static CommandResult coordinates(Tx tx, List<Coordinate> cs) {
        long stored = 0;
        for (Coordinate c : cs) {
            if (tx.nodes.get(c.node()) == null) {
                continue;
            }
            tx.coordinates = tx.coordinates.put(new Key2(c.node(), c.segment()), c);
            emit(tx, Table.COORDINATES, Op.UPSERT, c.node(), c.node(), "");
            stored++;
        }
        return new CommandResult.Count(stored);
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Emits a change and moves the indexes it affects: the table's, the node's, and the service
     * name's.
     */
    private static void emit(Tx tx, Table table, Op op, String key, String node, String service) {
        tx.emit(new Change(tx.index, table, op, key, node, service));
        if (!node.isEmpty() && table != Table.SESSIONS && table != Table.COORDINATES && tx.nodes.get(node) != null) {
            tx.nodeIndex = tx.nodeIndex.put(node, tx.index);
        }
        if (!service.isEmpty()) {
            if (hasInstances(tx, service)) {
                tx.serviceIndex = tx.serviceIndex.put(service, tx.index);
            } else {
                // Gone: reads fall back to the catalog tables' maximum (>= this index).
                tx.serviceIndex = tx.serviceIndex.remove(service);
            }
        }
    }

    /** One change per service name on the node (or one node-only change when it has none). */
    private static void emitNodeWide(Tx tx, String node, Table table, Op op, String key) {
        TreeSet<String> names = new TreeSet<>();
        for (NodeService s : rangeValues(tx.services, node)) {
            names.add(s.service());
        }
        if (names.isEmpty()) {
            emit(tx, table, op, key, node, "");
        }
        for (String name : names) {
            emit(tx, table, op, key, node, name);
        }
    }

    private static boolean hasInstances(Tx tx, String service) {
        Iterator<Map.Entry<Key2, Integer>> it = tx.servicesByName.iteratorFrom(Key2.first(service));
        return it.hasNext() && it.next().getKey().a().equals(service);
    }

    private static void decName(Tx tx, String service, String node) {
        Key2 k = new Key2(service, node);
        Integer n = tx.servicesByName.get(k);
        if (n == null) {
            return;
        }
        tx.servicesByName = n <= 1 ? tx.servicesByName.remove(k) : tx.servicesByName.put(k, n - 1);
    }

    /** Node IDs are UUIDs compared case-insensitively. */
    private static String idKey(String id) {
        return id.toLowerCase(java.util.Locale.ROOT);
    }

    static <V> List<V> rangeValues(PersistentMap<Key2, V> m, String first) {
        List<V> out = new ArrayList<>();
        Iterator<Map.Entry<Key2, V>> it = m.iteratorFrom(Key2.first(first));
        while (it.hasNext()) {
            Map.Entry<Key2, V> e = it.next();
            if (!e.getKey().a().equals(first)) {
                break;
            }
            out.add(e.getValue());
        }
        return out;
    }
}
