package io.tribune.state;

import static io.tribune.state.CommandValidator.bounded;

import java.util.List;
import java.util.Map;

/** Validation of the catalog, session, event and coordinate commands; limits in {@link CommandValidator}. */
final class CatalogValidation {
    private CatalogValidation() {
    }

    static void check(Command c, List<String> p) {
        if (c instanceof Command.Register r) {
            register(r, p);
        } else if (c instanceof Command.Deregister d) {
            name("node name", d.node(), p);
            d.serviceId().ifPresent(s -> name("service id", s, p));
            d.checkId().ifPresent(s -> name("check id", s, p));
        } else if (c instanceof Command.SessionCreate s) {
            session(s.session(), p);
        } else if (c instanceof Command.SessionRenew s) {
            CommandValidator.session(s.id(), p);
        } else if (c instanceof Command.SessionDestroy s) {
            CommandValidator.session(s.id(), p);
        } else if (c instanceof Command.EventFire e) {
            event(e.event(), p);
        } else if (c instanceof Command.CoordinateUpdate u) {
            coordinates(u.coordinates(), p);
        } else {
            p.add("unsupported command " + c.getClass().getSimpleName());
        }
    }

    private static void register(Command.Register r, List<String> p) {
        Node n = r.node();
        name("node name", n.node(), p);
        if (!n.id().isEmpty() && !CommandValidator.isSessionId(n.id())) {
            p.add("invalid node ID '" + CommandValidator.abbreviate(n.id()) + "': expected a UUID");
        }
        bounded("node address", n.address(), CommandValidator.MAX_NAME_BYTES, p);
        bounded("datacenter", n.datacenter(), CommandValidator.MAX_NAME_BYTES, p);
        meta("tagged addresses", n.taggedAddresses(), p);
        meta("node meta", n.meta(), p);
        r.service().ifPresent(s -> {
            name("service name", s.service(), p);
            name("service id", s.id(), p);
            bounded("service address", s.address(), CommandValidator.MAX_NAME_BYTES, p);
            if (s.tags().size() > CommandValidator.MAX_TAGS) {
                p.add("too many service tags (" + s.tags().size() + " > " + CommandValidator.MAX_TAGS + ")");
            }
            for (String t : s.tags()) {
                bounded("service tag", t, CommandValidator.MAX_NAME_BYTES, p);
            }
            meta("service meta", s.meta(), p);
            if (s.port() < 0 || s.port() > 65535) {
                p.add("invalid service port " + s.port() + " (expected 0..65535)");
            }
            if (s.weights().passing() < 0 || s.weights().warning() < 0) {
                p.add("service weights must not be negative");
            }
        });
        if (r.checks().size() > CommandValidator.MAX_CHECKS) {
            p.add("too many checks (" + r.checks().size() + " > " + CommandValidator.MAX_CHECKS + ")");
            return;
        }
        for (HealthCheck hc : r.checks()) {
            name("check id", hc.checkId(), p);
            if (!hc.node().equals(n.node())) {
                p.add("check '" + CommandValidator.abbreviate(hc.checkId()) + "' names node '"
                        + CommandValidator.abbreviate(hc.node()) + "', not the registered node");
            }
            bounded("check name", hc.name(), CommandValidator.MAX_NAME_BYTES, p);
            bounded("check notes", hc.notes(), CommandValidator.MAX_CHECK_OUTPUT_BYTES, p);
            bounded("check output", hc.output(), CommandValidator.MAX_CHECK_OUTPUT_BYTES, p);
            bounded("check service id", hc.serviceId(), CommandValidator.MAX_NAME_BYTES, p);
            bounded("check type", hc.type(), CommandValidator.MAX_NAME_BYTES, p);
        }
    }

    private static void session(Session s, List<String> p) {
        CommandValidator.session(s.id(), p);
        name("session node", s.node(), p);
        bounded("session name", s.name(), CommandValidator.MAX_NAME_BYTES, p);
        if (s.ttlMillis() != 0 && (s.ttlMillis() < CommandValidator.MIN_SESSION_TTL_MILLIS
                || s.ttlMillis() > CommandValidator.MAX_SESSION_TTL_MILLIS)) {
            p.add("invalid session TTL " + s.ttlMillis() + " ms: must be 0 or between "
                    + CommandValidator.MIN_SESSION_TTL_MILLIS / 1000 + "s and "
                    + CommandValidator.MAX_SESSION_TTL_MILLIS / 1000 + "s");
        }
        if (s.lockDelayMillis() < 0 || s.lockDelayMillis() > CommandValidator.MAX_LOCK_DELAY_MILLIS) {
            p.add("invalid lock-delay " + s.lockDelayMillis() + " ms: must be between 0 and "
                    + CommandValidator.MAX_LOCK_DELAY_MILLIS / 1000 + "s");
        }
        if (s.nodeChecks().size() > CommandValidator.MAX_CHECKS) {
            p.add("too many session checks");
        }
        for (String ch : s.nodeChecks()) {
            name("session check id", ch, p);
        }
    }

    private static void event(EventRecord e, List<String> p) {
        if (!CommandValidator.isSessionId(e.id())) {
            p.add("invalid event id '" + CommandValidator.abbreviate(e.id()) + "': expected a UUID");
        }
        name("event name", e.name(), p);
        if (e.payload().length > CommandValidator.MAX_EVENT_PAYLOAD_BYTES) {
            p.add("event payload too large (" + e.payload().length + " bytes > "
                    + CommandValidator.MAX_EVENT_PAYLOAD_BYTES + ")");
        }
        bounded("node filter", e.nodeFilter(), CommandValidator.MAX_NAME_BYTES, p);
        bounded("service filter", e.serviceFilter(), CommandValidator.MAX_NAME_BYTES, p);
        bounded("tag filter", e.tagFilter(), CommandValidator.MAX_NAME_BYTES, p);
    }

    private static void coordinates(List<Coordinate> cs, List<String> p) {
        if (cs.size() > CommandValidator.MAX_COORDINATE_UPDATES) {
            p.add("too many coordinate updates (" + cs.size() + " > " + CommandValidator.MAX_COORDINATE_UPDATES + ")");
            return;
        }
        for (Coordinate c : cs) {
            name("coordinate node", c.node(), p);
            bounded("segment", c.segment(), CommandValidator.MAX_NAME_BYTES, p);
            if (c.vec().size() > CommandValidator.MAX_COORDINATE_DIMENSIONS) {
                p.add("coordinate of node '" + CommandValidator.abbreviate(c.node()) + "' has too many dimensions");
            }
            boolean finite = Double.isFinite(c.error()) && Double.isFinite(c.adjustment())
                    && Double.isFinite(c.height());
            for (double d : c.vec()) {
                finite &= Double.isFinite(d);
            }
            if (!finite) {
                p.add("coordinate of node '" + CommandValidator.abbreviate(c.node()) + "' is not finite");
            }
        }
    }

    private static void name(String what, String s, List<String> p) {
        if (s == null || s.isEmpty()) {
            p.add("missing " + what);
            return;
        }
        bounded(what, s, CommandValidator.MAX_NAME_BYTES, p);
    }

    private static void meta(String what, Map<String, String> m, List<String> p) {
        if (m.size() > CommandValidator.MAX_META_PAIRS) {
            p.add(what + " has too many pairs (" + m.size() + " > " + CommandValidator.MAX_META_PAIRS + ")");
            return;
        }
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (e.getKey().isEmpty()) {
                p.add(what + " has an empty key");
            }
            bounded(what + " key", e.getKey(), CommandValidator.MAX_META_KEY_BYTES, p);
            bounded(what + " value", e.getValue(), CommandValidator.MAX_META_VALUE_BYTES, p);
        }
    }
}
