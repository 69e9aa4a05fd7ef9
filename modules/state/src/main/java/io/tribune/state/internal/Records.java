package io.tribune.state.internal;

import io.tribune.state.Coordinate;
import io.tribune.state.EventRecord;
import io.tribune.state.HealthCheck;
import io.tribune.state.HealthStatus;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.Session;
import io.tribune.state.SessionBehavior;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.util.ArrayList;
import java.util.List;

/** Binary forms of the catalog, session, event and coordinate records (commands and snapshots). */
final class Records {
    static final int MAX_LIST = 1 << 16;

    private Records() {
    }

    static void node(WireWriter w, Node n) {
        w.str(n.id()).str(n.node()).str(n.address()).str(n.datacenter()).strMap(n.taggedAddresses()).strMap(n.meta())
                .i64(n.createIndex()).i64(n.modifyIndex());
    }

    static Node node(WireReader r) {
        return new Node(r.str("node id"), r.str("node name"), r.str("address"), r.str("datacenter"),
                r.strMap("tagged addresses", MAX_LIST), r.strMap("node meta", MAX_LIST), r.i64("createIndex"),
                r.i64("modifyIndex"));
    }

    static void service(WireWriter w, NodeService s) {
        w.str(s.id()).str(s.service()).strList(s.tags()).str(s.address()).strMap(s.meta()).i32(s.port())
                .i32(s.weights().passing()).i32(s.weights().warning()).bool(s.enableTagOverride())
                .i64(s.createIndex()).i64(s.modifyIndex());
    }

    static NodeService service(WireReader r) {
        return new NodeService(r.str("service id"), r.str("service name"), r.strList("tags", MAX_LIST),
                r.str("service address"), r.strMap("service meta", MAX_LIST), r.i32("port"),
                new NodeService.Weights(r.i32("passing weight"), r.i32("warning weight")),
                r.bool("enableTagOverride"), r.i64("createIndex"), r.i64("modifyIndex"));
    }

    static void check(WireWriter w, HealthCheck c) {
        w.str(c.node()).str(c.checkId()).str(c.name()).u8(c.status().ordinal()).str(c.notes()).str(c.output())
                .str(c.serviceId()).str(c.serviceName()).strList(c.serviceTags()).str(c.type())
                .i64(c.createIndex()).i64(c.modifyIndex());
    }

    static HealthCheck check(WireReader r) {
        String node = r.str("check node");
        String id = r.str("check id");
        String name = r.str("check name");
        int st = r.u8("status");
        HealthStatus[] all = HealthStatus.values();
        if (st >= all.length) {
            throw new MalformedInputException("unknown check status " + st);
        }
        return new HealthCheck(node, id, name, all[st], r.str("notes"), r.str("output"), r.str("service id"),
                r.str("service name"), r.strList("service tags", MAX_LIST), r.str("type"), r.i64("createIndex"),
                r.i64("modifyIndex"));
    }

    static void session(WireWriter w, Session s) {
        w.str(s.id()).str(s.name()).str(s.node()).i64(s.lockDelayMillis()).u8(s.behavior().ordinal())
                .i64(s.ttlMillis()).strList(s.nodeChecks()).i64(s.lastRenewMillis()).i64(s.createIndex())
                .i64(s.modifyIndex());
    }

    static Session session(WireReader r) {
        String id = r.str("session id");
        String name = r.str("session name");
        String node = r.str("session node");
        long delay = r.i64("lock delay");
        int b = r.u8("behavior");
        SessionBehavior[] all = SessionBehavior.values();
        if (b >= all.length) {
            throw new MalformedInputException("unknown session behavior " + b);
        }
        return new Session(id, name, node, delay, all[b], r.i64("ttl"), r.strList("session checks", MAX_LIST),
                r.i64("last renew"), r.i64("createIndex"), r.i64("modifyIndex"));
    }

    static void event(WireWriter w, EventRecord e) {
        w.str(e.id()).str(e.name()).bytes(e.payload()).str(e.nodeFilter()).str(e.serviceFilter()).str(e.tagFilter())
                .i64(e.ltime());
    }

    static EventRecord event(WireReader r) {
        return new EventRecord(r.str("event id"), r.str("event name"), r.bytes("payload"), r.str("node filter"),
                r.str("service filter"), r.str("tag filter"), r.i64("ltime"));
    }

    static void coordinate(WireWriter w, Coordinate c) {
        w.str(c.node()).str(c.segment()).i32(c.vec().size());
        for (double d : c.vec()) {
            w.f64(d);
        }
        w.f64(c.error()).f64(c.adjustment()).f64(c.height());
    }

    static Coordinate coordinate(WireReader r) {
        String node = r.str("coordinate node");
        String segment = r.str("segment");
        int n = r.count("vector size", 64);
        List<Double> vec = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            vec.add(r.f64("vector"));
        }
        return new Coordinate(node, segment, vec, r.f64("error"), r.f64("adjustment"), r.f64("height"));
    }
}
