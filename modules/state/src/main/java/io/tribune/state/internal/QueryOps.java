package io.tribune.state.internal;

import io.tribune.state.BlockingWait;
import io.tribune.state.Change;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.Table;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Applies and validates the prepared-query commands ({@link Command.QueryCommand}), with the rules
 * of Consul 1.4's state store and endpoint: the service is required, a name is unique and never
 * another query's ID (nor a UUID itself, so that lookups by ID and by name cannot be confused),
 * one template per prefix (so at most one catch-all template with an empty name), a template
 * compiles and renders with its own name, a session must exist, and every size is bounded. Pure
 * functions of the working state and the command.
 */
public final class QueryOps {
    /** Most prepared queries stored. */
    public static final int MAX_QUERIES = 65_536;
    /** Most tags, and most failover datacenters, of a query. */
    public static final int MAX_LIST = 256;
    /** Most node metadata pairs of a query (Consul's metadata limit). */
    public static final int MAX_META = CommandValidator.MAX_META_PAIRS;
    /** Longest datacenter name, in UTF-8 bytes. */
    public static final int MAX_DATACENTER_BYTES = 128;
    /** Largest {@code NearestN}: more datacenters than any WAN pool holds. */
    public static final int MAX_NEAREST_N = 1024;
    /** Longest token, in UTF-8 bytes. */
    public static final int MAX_TOKEN_BYTES = 512;

    private QueryOps() {
    }

    /** Applies {@code c} to {@code tx}. */
    static CommandResult apply(Tx tx, Command.QueryCommand c) {
        if (c instanceof Command.PreparedQuerySet s) {
            return set(tx, s.query());
        } else if (c instanceof Command.PreparedQueryDelete d) {
            if (!tx.queries.byId.containsKey(d.id())) {
                return new CommandResult.Bool(false);
            }
            remove(tx, d.id());
            return new CommandResult.Bool(true);
        }
        throw new IllegalStateException("unknown prepared query command " + c.getClass().getSimpleName());
    }

    private static CommandResult set(Tx tx, PreparedQuery q) {
        QueryTables t = tx.queries;
        if (!q.name().isEmpty()) {
            String holder = t.byName.get(q.name());
            if (holder != null && !holder.equals(q.id())) {
                return invalid("name '" + clip(q.name()) + "' aliases an existing query name");
            }
            if (!q.name().equals(q.id()) && t.byId.containsKey(q.name())) {
                return invalid("name '" + clip(q.name()) + "' aliases an existing query ID");
            }
        }
        if (q.isTemplate()) {
            String holder = t.templates.get(q.name());
            if (holder != null && !holder.equals(q.id())) {
                return invalid(q.name().isEmpty() ? "a query template with an empty name already exists"
                        : "a query template with the name '" + clip(q.name()) + "' already exists");
            }
        }
        if (!q.session().isEmpty() && tx.sessions.get(q.session()) == null) {
            return invalid("invalid session '" + clip(q.session()) + "'");
        }
        PreparedQuery old = t.byId.get(q.id());
        if (old == null && t.byId.size() >= MAX_QUERIES) {
            return invalid("too many prepared queries (" + MAX_QUERIES + ")");
        }
        tx.queries = t.with(q.withIndexes(old == null ? tx.index : old.createIndex(), tx.index));
        tx.emit(new Change(tx.index, Table.PREPARED_QUERIES, Change.Op.UPSERT, q.id(), "", ""));
        return new CommandResult.Done();
    }

    private static void remove(Tx tx, String id) {
        tx.queries = tx.queries.without(id);
        tx.emit(new Change(tx.index, Table.PREPARED_QUERIES, Change.Op.DELETE, id, "", ""));
    }

    /** Deletes every query bound to session {@code sessionId} (the session is being invalidated). */
    static void deleteForSession(Tx tx, String sessionId) {
        if (tx.queries.bySession.isEmpty()) {
            return;
        }
        List<String> ids = new ArrayList<>();
        Iterator<Map.Entry<Key2, Boolean>> it = tx.queries.bySession.iteratorFrom(Key2.first(sessionId));
        while (it.hasNext()) {
            Key2 k = it.next().getKey();
            if (!k.a().equals(sessionId)) {
                break;
            }
            ids.add(k.b());
        }
        for (String id : ids) {
            remove(tx, id);
        }
    }

    private static CommandResult invalid(String message) {
        return new CommandResult.Failed(CommandResult.Failed.Kind.INVALID, message);
    }

    /** Adds the problems of {@code c} that need no state to {@code p} (forms and sizes). */
    public static void check(Command.QueryCommand c, List<String> p) {
        if (c instanceof Command.PreparedQuerySet s) {
            query(s.query(), p);
        } else if (c instanceof Command.PreparedQueryDelete d) {
            if (!CommandValidator.isSessionId(d.id())) {
                p.add("invalid query ID '" + clip(d.id()) + "': expected a UUID");
            }
        }
    }

    /** Adds the problems of {@code q} that need no state to {@code p}, Consul's messages where it has them. */
    public static void query(PreparedQuery q, List<String> p) {
        if (!CommandValidator.isSessionId(q.id())) {
            p.add("invalid query ID '" + clip(q.id()) + "': expected a UUID");
        }
        bytes("query name", q.name(), CommandValidator.MAX_NAME_BYTES, p);
        if (CommandValidator.isSessionId(q.name())) {
            p.add("query name '" + q.name() + "' must not be a UUID: names and IDs share one lookup");
        }
        if (!q.session().isEmpty() && !CommandValidator.isSessionId(q.session())) {
            p.add("invalid session '" + clip(q.session()) + "': expected a UUID");
        }
        bytes("token", q.token(), MAX_TOKEN_BYTES, p);
        PreparedQuery.ServiceQuery s = q.service();
        if (s.service().isEmpty()) {
            p.add("Must provide a Service name to query");
        }
        bytes("service name", s.service(), CommandValidator.MAX_NAME_BYTES, p);
        if (s.failover().nearestN() < 0) {
            p.add("Bad NearestN '" + s.failover().nearestN() + "', must be >= 0");
        } else if (s.failover().nearestN() > MAX_NEAREST_N) {
            p.add("Bad NearestN '" + s.failover().nearestN() + "', must be <= " + MAX_NEAREST_N);
        }
        list("failover datacenters", s.failover().datacenters(), MAX_DATACENTER_BYTES, p);
        list("tags", s.tags(), CommandValidator.MAX_NAME_BYTES, p);
        bytes("near", s.near(), CommandValidator.MAX_NAME_BYTES, p);
        if (s.nodeMeta().size() > MAX_META) {
            p.add("NodeMeta has too many pairs (" + s.nodeMeta().size() + " > " + MAX_META + ")");
        } else {
            for (Map.Entry<String, String> e : s.nodeMeta().entrySet()) {
                if (e.getKey().isEmpty()) {
                    p.add("Couldn't load metadata pair: key cannot be blank");
                }
                bytes("NodeMeta key", e.getKey(), CommandValidator.MAX_META_KEY_BYTES, p);
                bytes("NodeMeta value", e.getValue(), CommandValidator.MAX_META_VALUE_BYTES, p);
            }
        }
        if (!q.dnsTtl().isEmpty()) {
            try {
                Duration ttl = BlockingWait.parseDuration(q.dnsTtl());
                if (ttl.isNegative()) {
                    p.add("DNS TTL '" + clip(q.dnsTtl()) + "', must be >=0");
                }
            } catch (IllegalArgumentException e) {
                p.add("Bad DNS TTL '" + clip(q.dnsTtl()) + "': " + e.getMessage());
            }
        }
        if (q.isTemplate()) {
            if (p.isEmpty()) {
                try {
                    QueryTemplate.compile(q);
                } catch (IllegalArgumentException e) {
                    p.add(e.getMessage());
                }
            }
        } else if (!q.template().regexp().isEmpty()) {
            p.add("Template.Regexp is set but Template.Type is empty: only templates have a regular expression");
        }
    }

    private static void list(String what, List<String> l, int maxBytes, List<String> p) {
        if (l.size() > MAX_LIST) {
            p.add(what + ": more than " + MAX_LIST);
            return;
        }
        for (String x : l) {
            bytes(what.substring(0, what.length() - 1), x, maxBytes, p);
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
