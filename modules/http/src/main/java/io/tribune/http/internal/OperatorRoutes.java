package io.tribune.http.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tribune.agent.cluster.KeyringResult;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Operator;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Snapshots;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/operator/raft/configuration|peer}, {@code /v1/operator/keyring} and {@code /v1/snapshot}.
 *
 * <p><b>Keyring.</b> {@code GET} lists the keys, {@code POST} installs, {@code PUT} makes primary and
 * {@code DELETE} removes the key given as {@code {"Key": "<base64>"}}, on every member of the LAN pool
 * ({@code ?local-only}: on this agent alone). A listing has Consul's shape; a write that succeeded
 * everywhere answers 200 with no body; when a member failed, the answer is Consul's
 * {@code "N/M nodes reported failure"} with one line per failed member: 400 when every member answered
 * and nothing changed, 500 otherwise. {@code ?relay-factor} (0..5) is accepted and ignored.
 *
 * <p><b>Snapshot.</b> The body is Consul's archive layout ({@link io.tribune.agent.rpc.SnapshotArchive}:
 * a gzipped tar of {@code meta.json}, the state store's own {@code state.bin} and {@code SHA256SUMS});
 * {@code X-Consul-Index} carries the index it was captured at. A restore takes that archive (or a
 * bare state file, Tribune's format before archives) and is verified whole before anything changes:
 * a bad one is a 400 naming the fault.
 */
final class OperatorRoutes {
    /** Largest keyring request body: a base64 key of 32 bytes is 44 characters. */
    static final int MAX_KEYRING_BODY_BYTES = 4096;
    /** Consul's upper bound of {@code ?relay-factor}. */
    static final int MAX_RELAY_FACTOR = 5;
    private final Requests requests;
    private final String datacenter;

    OperatorRoutes(Requests requests, String datacenter) {
        this.requests = requests;
        this.datacenter = datacenter;
    }

    CompletableFuture<HttpResponse> raft(HttpRequest req, String rest) {
        return switch (rest) {
            case "configuration" -> {
                Params.method(req, "GET");
                var options = Params.read(req);
                yield requests.call(new Operator.RaftConfiguration(), options).thenApply(r -> Calls.queryHeaders(
                        Json.ok(configurationJson(r.value(), r.meta().index()), req), r.meta(), false));
            }
            case "peer" -> {
                Params.method(req, "DELETE");
                Operator.RaftRemovePeer op = new Operator.RaftRemovePeer(req.param("id"), req.param("address"));
                yield Calls.value(requests, op, Params.write(req)).thenApply(b -> HttpResponse.empty(200));
            }
            default -> throw HttpError.notFound("no API at " + req.path());
        };
    }

    /** Consul's {@code RaftConfigurationResponse}: {@code Servers[{ID, Node, Address, Leader, Voter, ProtocolVersion}]}. */
    static Map<String, Object> configurationJson(Operator.RaftServers c, long index) {
        List<Map<String, Object>> servers = new ArrayList<>();
        for (Operator.RaftServer s : c.servers()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("ID", s.nodeId());
            o.put("Node", s.id());
            o.put("Address", s.address());
            o.put("Leader", s.leader());
            o.put("Voter", s.voter());
            // Consul reports Raft protocol version 3 for current servers.
            o.put("ProtocolVersion", "3");
            servers.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Servers", servers);
        out.put("Index", index);
        return out;
    }

    CompletableFuture<HttpResponse> snapshot(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        return switch (req.method()) {
            case "GET" -> Calls.read(requests, new Snapshots.Save(), Params.read(req),
                    bytes -> HttpResponse.bytes(200, Snapshots.CONTENT_TYPE, bytes));
            case "PUT", "POST" -> requests.call(new Snapshots.Restore(req.body()), Params.write(req))
                    .thenApply(r -> HttpResponse.empty(200).header("X-Consul-Index",
                            Long.toString(Math.max(1, r.meta().index()))));
            default -> throw HttpError.methodNotAllowed(req.method(), req.path());
        };
    }

    CompletableFuture<HttpResponse> keyring(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        String dc = req.param("dc").orElse("");
        if (!dc.isEmpty() && !dc.equalsIgnoreCase(datacenter)) {
            throw new HttpError(500, "No path to datacenter");
        }
        Params.method(req, "GET", "POST", "PUT", "DELETE");
        boolean localOnly = Params.flag(req, "local-only");
        relayFactor(req);
        Operator.KeyringVerb verb = switch (req.method()) {
            case "GET", "HEAD" -> Operator.KeyringVerb.LIST;
            case "POST" -> Operator.KeyringVerb.INSTALL;
            case "PUT" -> Operator.KeyringVerb.USE;
            default -> Operator.KeyringVerb.REMOVE;
        };
        Operator.Keyring op = new Operator.Keyring(verb, verb == Operator.KeyringVerb.LIST ? "" : key(req), localOnly);
        return Calls.value(requests, op, Params.write(req)).thenApply(p -> answer(req, verb, p));
    }

    private HttpResponse answer(HttpRequest req, Operator.KeyringVerb verb, KeyringResult p) {
        if (!p.ok()) {
            return HttpResponse.text(p.refusedUnchanged() ? 400 : 500, p.failureReport());
        }
        if (verb != Operator.KeyringVerb.LIST) {
            return HttpResponse.empty(200);
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("WAN", false);
        o.put("Datacenter", datacenter);
        o.put("Segment", "");
        o.put("Keys", p.keys());
        o.put("PrimaryKeys", p.primaryKeys());
        o.put("NumNodes", p.numNodes());
        o.put("Messages", p.messages());
        return Json.ok(List.of(o), req);
    }

    /** Validates {@code ?relay-factor} (0..5), which is otherwise ignored. */
    static void relayFactor(HttpRequest req) {
        String v = req.param("relay-factor").orElse("");
        if (v.isEmpty()) {
            return;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid relay-factor '" + Params.abbreviate(v) + "': not a number");
        }
        if (n < 0 || n > MAX_RELAY_FACTOR) {
            throw HttpError.badRequest("relay-factor must be between 0 and " + MAX_RELAY_FACTOR + ", got " + n);
        }
    }

    /** The {@code Key} of a {@code {"Key": "..."}} body; the operation checks it is an AES key. */
    static String key(HttpRequest req) {
        if (req.body().length == 0) {
            throw HttpError.badRequest("missing body: expected {\"Key\": \"<base64 key>\"}");
        }
        if (req.body().length > MAX_KEYRING_BODY_BYTES) {
            throw HttpError.badRequest("body larger than " + MAX_KEYRING_BODY_BYTES + " bytes");
        }
        JsonElement e = JsonIn.parse(new String(req.body(), StandardCharsets.UTF_8));
        if (!e.isJsonObject()) {
            throw HttpError.badRequest("expected {\"Key\": \"<base64 key>\"}");
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement k = o.get("Key");
        if (k == null || !k.isJsonPrimitive() || !k.getAsJsonPrimitive().isString() || k.getAsString().isEmpty()) {
            throw HttpError.badRequest("missing or empty \"Key\": expected {\"Key\": \"<base64 key>\"}");
        }
        return Optional.of(k.getAsString()).orElseThrow();
    }
}
