package io.tribune.agent.local;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps.CheckDefinition;
import io.tribune.agent.rpc.AgentOps.ServiceDefinition;
import io.tribune.agent.rpc.CheckType;
import io.tribune.state.HealthStatus;
import io.tribune.state.HealthCheck;
import io.tribune.state.NodeService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads service and check definitions in Consul's shape, for both the agent API
 * ({@code /v1/agent/service/register}, {@code /v1/agent/check/register}) and the {@code services} /
 * {@code checks} of config files, so that both accept exactly the same definitions. A bad
 * definition is a {@code BAD_REQUEST} {@link AgentException} whose message names the field.
 */
public final class CheckDefinitions {
    /** Script check timeout when the definition gives none: Consul's 30 s. */
    static final Duration DEFAULT_SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    /** Most arguments of a script check, and longest one in characters. */
    static final int MAX_ARGS = 64;
    static final int MAX_ARG_CHARS = 4096;
    /** Upper bound for the flapping thresholds: beyond it a check would practically never change. */
    static final int MAX_THRESHOLD = 1000;
    private static final Set<String> VERBATIM_MAPS = Set.of("meta", "header", "taggedaddresses");

    private CheckDefinitions() {
    }

    /** Runners of the extra check kinds present, by lower-case field name; loaded once. */
    static Map<String, CheckRunner> runners() {
        return Runners.ALL;
    }

    private static final class Runners {
        static final Map<String, CheckRunner> ALL = load();

        private static Map<String, CheckRunner> load() {
            Module m = CheckRunner.class.getModule();
            java.util.ServiceLoader<CheckRunner> sl = m.isNamed() && m.getLayer() != null
                    ? java.util.ServiceLoader.load(m.getLayer(), CheckRunner.class)
                    : java.util.ServiceLoader.load(CheckRunner.class, CheckRunner.class.getClassLoader());
            Map<String, CheckRunner> out = new java.util.TreeMap<>();
            for (CheckRunner r : sl) {
                // The first provider of a field wins; a second one is a packaging mistake worth a word.
                if (out.putIfAbsent(r.field().toLowerCase(Locale.ROOT), r) != null) {
                    System.getLogger(CheckDefinitions.class.getName()).log(System.Logger.Level.WARNING,
                            "ignoring a second check runner for " + r.field() + ": " + r.getClass().getName());
                }
            }
            return Map.copyOf(out);
        }
    }

    /**
     * A copy of a config-file definition with underscores removed from field names, so that
     * Consul's config spellings ({@code success_before_passing}, {@code grpc_use_tls}) read like the
     * API's ({@code SuccessBeforePassing}); user-chosen keys of {@code Meta} and {@code Header} stay.
     */
    static JsonObject normalizeConfigKeys(JsonObject o) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String k = e.getKey().replace("_", "");
            JsonElement v = e.getValue();
            if (VERBATIM_MAPS.contains(k.toLowerCase(Locale.ROOT))) {
                out.add(k, v);
            } else if (v.isJsonObject()) {
                out.add(k, normalizeConfigKeys(v.getAsJsonObject()));
            } else if (v.isJsonArray()) {
                var a = new com.google.gson.JsonArray();
                v.getAsJsonArray().forEach(x -> a.add(x.isJsonObject() ? normalizeConfigKeys(x.getAsJsonObject()) : x));
                out.add(k, a);
            } else {
                out.add(k, v);
            }
        }
        return out;
    }

    /**
     * A service definition with its checks ({@code Check} and {@code Checks}), as
     * {@code /v1/agent/service/register} and the {@code services} of config files take it.
     *
     * @param node           the local node's name
     * @param scriptsEnabled whether script checks are allowed (Consul's {@code enable_script_checks})
     */
    public static ServiceDefinition service(JsonIn in, String node, boolean scriptsEnabled) {
        String name = in.string("Name", "");
        if (name.isEmpty()) {
            throw AgentException.badRequest("Missing service name" + at(in));
        }
        String id = in.string("ID", "");
        NodeService svc = new NodeService(id.isEmpty() ? name : id, name, in.strings("Tags").orElse(List.of()),
                in.string("Address", ""), in.stringMap("Meta"),
                (int) in.integer("Port", 0, 65535).orElse(0L).longValue(), weights(in),
                in.bool("EnableTagOverride").orElse(false), 0, 0);
        List<JsonIn> defs = new ArrayList<>();
        in.object("Check").ifPresent(defs::add);
        defs.addAll(in.objects("Checks"));
        List<CheckDefinition> checks = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            JsonIn d = defs.get(i);
            String checkId = d.string("CheckID", d.string("ID", ""));
            if (checkId.isEmpty()) {
                // Consul's ids for a service's checks: service:<id>, or service:<id>:<n> with several.
                checkId = "service:" + svc.id() + (defs.size() > 1 ? ":" + (i + 1) : "");
            }
            String checkName = d.string("Name", "");
            if (checkName.isEmpty()) {
                checkName = "Service '" + name + "' check";
            }
            checks.add(check(d, checkId, checkName, svc.id(), node, scriptsEnabled));
        }
        return new ServiceDefinition(svc, checks);
    }

    /** A stand-alone check definition, as {@code /v1/agent/check/register} and config files take it. */
    public static CheckDefinition check(JsonIn in, String node, boolean scriptsEnabled) {
        String id = in.string("ID", in.string("CheckID", ""));
        String name = in.string("Name", "");
        if (name.isEmpty()) {
            throw AgentException.badRequest("Missing check name" + at(in));
        }
        return check(in, id.isEmpty() ? name : id, name, in.string("ServiceID", ""), node, scriptsEnabled);
    }

    private static String at(JsonIn in) {
        return in.path().isEmpty() ? "" : " in " + in.path();
    }

    private static AgentException invalid(JsonIn d, String id, String why) {
        return AgentException.badRequest("Invalid check " + (d.path().isEmpty() ? "" : d.path() + " ") + "'"
                + abbreviate(id) + "': " + why);
    }

    /**
     * One check: exactly one of TTL, HTTP, TCP, Args (script) or the field of a {@link CheckRunner}
     * (e.g. GRPC), all but TTL with an Interval.
     * Script checks are refused unless {@code scriptsEnabled} (Consul's {@code enable_script_checks}).
     */
    static CheckDefinition check(JsonIn d, String id, String name, String serviceId,
                                                            String node, boolean scriptsEnabled) {
        for (String unsupported : List.of("Script", "GRPC", "DockerContainerID", "AliasNode", "AliasService",
                "H2PING", "UDP", "OSService")) {
            if (d.has(unsupported) && !runners().containsKey(unsupported.toLowerCase(Locale.ROOT))) {
                throw AgentException.badRequest("check type " + unsupported + " is not supported by this agent "
                        + "(supported: TTL, HTTP, TCP, Args" + (runners().isEmpty() ? "" : ", "
                        + String.join(", ", runners().values().stream().map(CheckRunner::field).toList()))
                        + (unsupported.equals("GRPC") ? "; GRPC needs the gRPC API module io.tribune.grpcapi" : "")
                        + ")");
            }
        }
        CheckRunner runner = null;
        String target = "";
        Map<String, String> options = new java.util.TreeMap<>();
        for (CheckRunner r : runners().values()) {
            if (d.has(r.field())) {
                if (runner != null) {
                    throw invalid(d, id, "must provide only one of " + runner.field() + " and " + r.field());
                }
                runner = r;
                target = d.string(r.field(), "");
                for (String o : r.optionFields()) {
                    d.raw(o).ifPresent(v -> {
                        if (!v.isJsonPrimitive()) {
                            throw AgentException.badRequest("Request decode failed: field " + o + " must be a string, "
                                    + "number or boolean");
                        }
                        options.put(o, v.getAsString());
                    });
                }
            }
        }
        Duration ttl = d.duration("TTL").filter(t -> !t.isZero()).orElse(null);
        String http = d.string("HTTP", "");
        String tcp = d.string("TCP", "");
        List<String> args = d.strings("Args").orElse(List.of());
        int kinds = (ttl != null ? 1 : 0) + (http.isEmpty() ? 0 : 1) + (tcp.isEmpty() ? 0 : 1)
                + (args.isEmpty() ? 0 : 1) + (runner == null ? 0 : 1);
        if (kinds != 1) {
            throw invalid(d, id, "must provide exactly one of TTL, or HTTP, TCP or Args"
                    + runners().values().stream().map(r -> " or " + r.field()).reduce("", String::concat)
                    + " with Interval");
        }
        if (runner != null) {
            try {
                runner.validate(target, Map.copyOf(options));
            } catch (IllegalArgumentException e) {
                throw invalid(d, id, e.getMessage());
            }
        }
        if (!args.isEmpty()) {
            if (!scriptsEnabled) {
                throw AgentException.badRequest("Invalid check '" + abbreviate(id) + "': script checks (Args) "
                        + "are disabled on this agent; set enable_script_checks to true to allow them");
            }
            if (args.size() > MAX_ARGS || args.stream().anyMatch(a -> a.length() > MAX_ARG_CHARS)) {
                throw invalid(d, id, "Args may hold at most " + MAX_ARGS + " arguments of at most " + MAX_ARG_CHARS
                        + " characters");
            }
        }
        Duration interval = null;
        if (ttl == null) {
            interval = d.duration("Interval").filter(x -> !x.isZero()).orElseThrow(() -> invalid(d, id,
                    "HTTP, TCP, Args and " + (runners().isEmpty() ? "" : String.join(", ", runners().values()
                            .stream().map(CheckRunner::field).toList()) + " ") + "checks need an Interval"));
            if (interval.compareTo(LocalState.MIN_INTERVAL) < 0) {
                interval = LocalState.MIN_INTERVAL;
            }
        }
        if (!http.isEmpty() && !(http.startsWith("http://") || http.startsWith("https://"))) {
            throw invalid(d, id, "HTTP must be an http:// or https:// URL");
        }
        if (!tcp.isEmpty() && !hostPort(tcp)) {
            throw invalid(d, id, "TCP must be host:port");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        d.raw("Header").ifPresent(h -> {
            if (!h.isJsonObject()) {
                throw AgentException.badRequest("Request decode failed: field Header must be an object of string arrays");
            }
            for (Map.Entry<String, JsonElement> e : h.getAsJsonObject().entrySet()) {
                List<String> vs = new ArrayList<>();
                if (!e.getValue().isJsonArray()) {
                    throw AgentException.badRequest("Request decode failed: field Header." + e.getKey()
                            + " must be an array of strings");
                }
                e.getValue().getAsJsonArray().forEach(v -> vs.add(v.isJsonPrimitive() ? v.getAsString() : ""));
                headers.put(e.getKey(), vs);
            }
        });
        // Parsed to reject a malformed value; reaping critical services is not implemented yet.
        d.duration("DeregisterCriticalServiceAfter");
        Duration timeout = d.duration("Timeout").filter(x -> !x.isZero())
                .orElse(args.isEmpty() ? CheckType.DEFAULT_TIMEOUT : DEFAULT_SCRIPT_TIMEOUT);
        String method = d.string("Method", "GET");
        if (!method.matches("[A-Z]{1,16}")) {
            throw invalid(d, id, "bad HTTP method '" + abbreviate(method) + "'");
        }
        int successBefore = (int) d.integer("SuccessBeforePassing", 0, MAX_THRESHOLD).orElse(0L).longValue();
        int failuresBefore = (int) d.integer("FailuresBeforeCritical", 0, MAX_THRESHOLD).orElse(0L).longValue();
        CheckType def = new CheckType(ttl, http, method, headers, tcp, args,
                runner == null ? "" : runner.field().toLowerCase(Locale.ROOT), target, options,
                interval, timeout, successBefore, failuresBefore);
        String status = d.string("Status", "");
        HealthCheck hc = new HealthCheck(node, id, name, status(status), d.string("Notes", ""), "",
                serviceId, "", List.of(), def.type(), 0, 0);
        return new CheckDefinition(hc, def);
    }

    private static boolean hostPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            return false;
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port > 0 && port < 65536;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The {@code Weights} of a service definition ({@code Passing} 1 and {@code Warning} 1 by default). */
    public static NodeService.Weights weights(JsonIn s) {
        return s.object("Weights").map(w -> new NodeService.Weights(
                (int) w.integer("Passing", 0, Integer.MAX_VALUE).orElse(1L).longValue(),
                (int) w.integer("Warning", 0, Integer.MAX_VALUE).orElse(1L).longValue()))
                .orElse(NodeService.Weights.DEFAULT);
    }

    /** A check status in Consul's spelling; empty means critical, as for a new check in Consul. */
    public static HealthStatus status(String s) {
        if (s.isEmpty()) {
            return HealthStatus.CRITICAL;
        }
        try {
            return HealthStatus.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw AgentException.badRequest(e.getMessage());
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
