package io.tribune.agent.metrics;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * How names become Consul's. Plugins register plugin-neutral names through the Metrics SPI and the
 * host prefixes them with the plugin's name ({@code raft.apply}); this table maps the ones that have a
 * Consul counterpart to Consul's name (below the configured prefix, {@code raft.apply} to
 * {@code consul.raft.apply}). Every other plugin metric keeps its scoped name below the prefix
 * ({@code consul.transport-grpc.rpc.calls}). The table lives in the host, so that a plugin stays
 * free of Consul's naming and a second consensus plugin can be mapped here without changing it.
 *
 * <p>A histogram whose name ends in a unit ({@code -ns}, {@code -us}, {@code -ms}) is a timer: the
 * suffix is dropped and the values are reported in milliseconds, as Consul reports its timers.
 *
 * <p>Pure functions; thread-safe.
 */
public final class ConsulNames {
    /** Plugin names (scoped by the plugin's name) that Consul also has, to Consul's name without prefix. */
    static final Map<String, String> TABLE = Map.ofEntries(
            // raft plugin (hashicorp/raft's names as Consul shows them)
            Map.entry("raft.apply", "raft.apply"),
            Map.entry("raft.commit-time", "raft.commitTime"),
            Map.entry("raft.leader.last-contact", "raft.leader.lastContact"),
            Map.entry("raft.state.leader", "raft.state.leader"),
            Map.entry("raft.state.candidate", "raft.state.candidate"),
            // gossip-swim plugin: memberlist's names as Consul shows them where memberlist has the figure ...
            Map.entry("gossip-swim.health.score", "memberlist.health.score"),
            Map.entry("gossip-swim.suspect.raised", "memberlist.msg.suspect"),
            Map.entry("gossip-swim.dead.declared", "memberlist.msg.dead"),
            // ... and the probe and gossip counts beside them (no memberlist counterpart: it has timers)
            Map.entry("gossip-swim.probe.sent", "memberlist.probe.sent"),
            Map.entry("gossip-swim.probe.failed", "memberlist.probe.failed"),
            Map.entry("gossip-swim.probe.indirect", "memberlist.probe.indirect"),
            Map.entry("gossip-swim.gossip.packets", "memberlist.gossip.packets"),
            Map.entry("gossip-swim.pushpull.started", "memberlist.pushpull.started"),
            Map.entry("gossip-swim.refute", "memberlist.refute"));

    private ConsulNames() {
    }

    /** A name with the unit its suffix gave, if any. */
    public record Unit(String name, Optional<TimeUnit> unit) {
    }

    /**
     * Splits a unit suffix off {@code name}: {@code commit-time-us} is {@code commit-time} in
     * microseconds; a name without one has no unit.
     */
    public static Unit unit(String name) {
        for (var e : Map.of("-ns", TimeUnit.NANOSECONDS, "-us", TimeUnit.MICROSECONDS, "-ms", TimeUnit.MILLISECONDS)
                .entrySet()) {
            if (name.endsWith(e.getKey()) && name.length() > e.getKey().length()) {
                return new Unit(name.substring(0, name.length() - e.getKey().length()), Optional.of(e.getValue()));
            }
        }
        return new Unit(name, Optional.empty());
    }

    /** The name below the prefix of a plugin metric scoped as {@code scopedName} (unit suffix already dropped). */
    public static String pluginName(String scopedName) {
        return TABLE.getOrDefault(scopedName, scopedName);
    }

    /**
     * Consul's name of an HTTP endpoint's timer below the prefix, in Consul 1.4's shape:
     * {@code http.<METHOD>.<path with '/' as '.'>}, where a route that takes a variable rest (a key,
     * a service name) ends in {@code _}: {@code /v1/kv/} gives {@code http.GET.v1.kv._}.
     *
     * @param method      an HTTP method in upper case
     * @param routePrefix the route's path prefix, starting with {@code /}
     */
    public static String http(String method, String routePrefix) {
        String p = routePrefix.startsWith("/") ? routePrefix.substring(1) : routePrefix;
        boolean variable = p.endsWith("/");
        if (variable) {
            p = p.substring(0, p.length() - 1);
        }
        return "http." + method + "." + p.replace('/', '.') + (variable ? "._" : "");
    }

    /**
     * Consul's timer (below the prefix) for a write that the leader carries out, by the operation's
     * name ({@link io.tribune.agent.rpc.Op#opName()}): Consul measures its endpoints there, after
     * forwarding ({@code consul.kvs.apply}, {@code consul.catalog.register}, ...). Empty for writes
     * Consul has no timer for.
     */
    public static Optional<String> write(String opName) {
        if (opName.startsWith("Kv.")) {
            return Optional.of("kvs.apply");
        }
        return Optional.ofNullable(switch (opName) {
            case "Catalog.Register" -> "catalog.register";
            case "Catalog.Deregister" -> "catalog.deregister";
            case "Txn.Apply" -> "txn.apply";
            case "Sessions.Create", "Sessions.Destroy" -> "session.apply";
            case "Sessions.Renew" -> "session.renew";
            case "Queries.Create", "Queries.Update", "Queries.Delete" -> "prepared-query.apply";
            default -> null;
        });
    }

    /**
     * A Prometheus metric name: {@code .} and every other character Prometheus does not allow
     * become {@code _} (Consul's names keep their case: {@code consul_raft_commitTime}).
     */
    public static String prometheus(String dotted) {
        StringBuilder b = new StringBuilder(dotted.length());
        for (int i = 0; i < dotted.length(); i++) {
            char c = dotted.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'
                    || (i > 0 && c >= '0' && c <= '9');
            b.append(ok ? c : '_');
        }
        return b.toString();
    }
}
