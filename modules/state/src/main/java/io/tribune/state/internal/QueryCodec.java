package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.PreparedQuery;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binary forms of the prepared-query commands (tags {@value #FIRST}..{@value #LAST}) and of a
 * {@link PreparedQuery} in commands and snapshots. Field order is the records' order; the node
 * metadata is written in key order.
 */
final class QueryCodec {
    static final int FIRST = 110;
    static final int SET = 110;
    static final int DELETE = 111;
    static final int LAST = 119;

    private QueryCodec() {
    }

    static boolean handles(int tag) {
        return tag >= FIRST && tag <= LAST;
    }

    static void encode(WireWriter w, Command.QueryCommand c) {
        if (c instanceof Command.PreparedQuerySet s) {
            query(w.u8(SET), s.query());
        } else if (c instanceof Command.PreparedQueryDelete d) {
            w.u8(DELETE).str(d.id());
        } else {
            throw new IllegalArgumentException("unknown prepared query command " + c.getClass().getSimpleName());
        }
    }

    static Command decode(int tag, WireReader r) {
        return switch (tag) {
            case SET -> new Command.PreparedQuerySet(query(r));
            case DELETE -> new Command.PreparedQueryDelete(r.str("query id"));
            default -> throw new MalformedInputException("unknown prepared query command type " + tag);
        };
    }

    static void query(WireWriter w, PreparedQuery q) {
        w.str(q.id()).str(q.name()).str(q.session()).str(q.token());
        w.str(q.template().type()).str(q.template().regexp()).bool(q.template().removeEmptyTags());
        PreparedQuery.ServiceQuery s = q.service();
        w.str(s.service()).i32(s.failover().nearestN()).strList(s.failover().datacenters()).bool(s.onlyPassing())
                .str(s.near()).strList(s.tags()).i32(s.nodeMeta().size());
        for (Map.Entry<String, String> e : s.nodeMeta().entrySet()) {
            w.str(e.getKey()).str(e.getValue());
        }
        w.str(q.dnsTtl()).i64(q.createIndex()).i64(q.modifyIndex());
    }

    static PreparedQuery query(WireReader r) {
        String id = r.str("query id");
        String name = r.str("query name");
        String session = r.str("query session");
        String token = r.str("query token");
        PreparedQuery.Template t = new PreparedQuery.Template(r.str("template type"), r.str("template regexp"),
                r.bool("remove empty tags"));
        String service = r.str("service");
        int nearest = r.i32("nearest n");
        List<String> dcs = r.strList("failover datacenters", QueryOps.MAX_LIST);
        boolean passing = r.bool("only passing");
        String near = r.str("near");
        List<String> tags = r.strList("tags", QueryOps.MAX_LIST);
        int n = r.count("node meta", QueryOps.MAX_META);
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            meta.put(r.str("meta key"), r.str("meta value"));
        }
        PreparedQuery.ServiceQuery s = new PreparedQuery.ServiceQuery(service, new PreparedQuery.Failover(nearest, dcs),
                passing, near, tags, meta);
        return new PreparedQuery(id, name, session, token, t, s, r.str("dns ttl"), r.i64("createIndex"),
                r.i64("modifyIndex"));
    }
}
