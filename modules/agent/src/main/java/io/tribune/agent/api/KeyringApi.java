package io.tribune.agent.api;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.agent.rpc.ClusterKeyring;
import io.tribune.agent.rpc.ClusterKeyring.PoolResult;
import io.tribune.agent.rpc.RpcCodec.KeyringOp;
import io.tribune.agent.rpc.RpcCodec.KeyringRequest;
import io.tribune.api.SpiKind;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/operator/keyring}: the gossip encryption keyring of the LAN pool, over the membership
 * plugin's optional {@link io.tribune.api.membership.Keyring} capability. {@code GET} lists the
 * keys, {@code POST} installs, {@code PUT} makes primary and {@code DELETE} removes the key given
 * as {@code {"Key": "<base64>"}}.
 *
 * <p><b>Every member.</b> As in Consul, an operation reaches every alive member of the LAN pool,
 * clients and servers, whichever agent receives it: that agent fans it out over the transport
 * ({@link ClusterKeyring}, RPC method {@value ClusterKeyring#METHOD}, each call bounded by the
 * agent's {@code rpc_hold_timeout}) and answers once every member answered or timed out. A
 * listing has Consul's shape, {@code [{WAN, Datacenter, Segment, Keys{key: members holding it},
 * PrimaryKeys{key: members encrypting with it}, NumNodes, Messages{}}]}; a write that succeeded
 * everywhere answers 200 with no body. A {@code use} goes ahead only when every member holds the
 * key, a {@code remove} only when no member encrypts with it; otherwise nothing changes. When any
 * member failed, the answer is Consul's {@code "N/M nodes reported failure"} followed by one line
 * per failed member with its reason: status 400 when every member answered and nothing changed
 * anywhere (the request is wrong for the pool as it is, e.g. a {@code use} of a key some member
 * lacks), 500 otherwise (a member did not answer, or some members applied the operation: reach or
 * fix the named ones and repeat it, every operation can be repeated).
 *
 * <p><b>Parameters.</b> {@code ?local-only} acts on the receiving agent alone ({@code NumNodes} 1),
 * for any method (Consul allows it on listings; on writes it repairs one agent that missed a
 * step). {@code ?relay-factor} (0..5) is accepted and ignored: answers come straight back over
 * the transport rather than through other members. Consul's WAN pool is out of scope: the
 * listing has the LAN pool only, and writes change LAN keyrings only.
 *
 * <p><b>Security.</b> The fan-out travels on the RPC transport that carries request forwarding,
 * so the same TLS settings ({@code verify_incoming} and the rest) protect it.
 *
 * <p>A key that is not base64 of 16, 24 or 32 bytes (the {@code Keyring} contract) is refused with
 * a 400 before anything is sent. An agent whose membership plugin has no keyring
 * (membership-static, used by {@code -dev}) answers 501 with a clear message.
 */
final class KeyringApi {
    /** Largest request body: a base64 key of 32 bytes is 44 characters. */
    static final int MAX_BODY_BYTES = 4096;
    /** Longest key accepted, in characters (a 32-byte key is 44). */
    static final int MAX_KEY_CHARS = 64;
    /** Consul's upper bound of {@code ?relay-factor}. */
    static final int MAX_RELAY_FACTOR = 5;
    private final Agent agent;

    KeyringApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        ApiSupport.checkDc(req, agent);
        ApiSupport.method(req, "GET", "POST", "PUT", "DELETE");
        if (agent.membership().keyring().isEmpty()) {
            throw new HttpError(501, "gossip encryption is not enabled: the membership plugin '"
                    + agent.plugins().getOrDefault(SpiKind.MEMBERSHIP, "?")
                    + "' has no keyring (use gossip-swim with an encryption key)");
        }
        boolean localOnly = ApiSupport.flag(req, "local-only");
        relayFactor(req);
        KeyringOp op = switch (req.method()) {
            case "GET", "HEAD" -> KeyringOp.LIST;
            case "POST" -> KeyringOp.INSTALL;
            case "PUT" -> KeyringOp.USE;
            default -> KeyringOp.REMOVE;
        };
        KeyringRequest r = new KeyringRequest(op, op == KeyringOp.LIST ? "" : key(req));
        ClusterKeyring keyring = agent.clusterKeyring();
        CompletableFuture<PoolResult> result = localOnly
                ? CompletableFuture.completedFuture(keyring.onThisAgent(r))
                : keyring.onEveryMember(r);
        return result.thenApply(p -> answer(req, op, p));
    }

    private HttpResponse answer(HttpRequest req, KeyringOp op, PoolResult p) {
        if (!p.ok()) {
            return HttpResponse.text(p.refusedUnchanged() ? 400 : 500, p.failureReport());
        }
        return op == KeyringOp.LIST ? Json.ok(List.of(listing(p)), req) : HttpResponse.empty(200);
    }

    private Map<String, Object> listing(PoolResult p) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("WAN", false);
        o.put("Datacenter", agent.config().datacenter());
        o.put("Segment", "");
        o.put("Keys", p.keys());
        o.put("PrimaryKeys", p.primaryKeys());
        o.put("NumNodes", p.numNodes());
        o.put("Messages", p.messages());
        return o;
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
            throw HttpError.badRequest("invalid relay-factor '" + ApiSupport.abbreviate(v) + "': not a number");
        }
        if (n < 0 || n > MAX_RELAY_FACTOR) {
            throw HttpError.badRequest("relay-factor must be between 0 and " + MAX_RELAY_FACTOR + ", got " + n);
        }
    }

    /**
     * The {@code Key} of a {@code {"Key": "..."}} body, checked to be base64 of 16, 24 or 32 bytes
     * and returned in canonical (padded) base64; 400 for anything else, without echoing the key.
     */
    static String key(HttpRequest req) {
        if (req.body().length == 0) {
            throw HttpError.badRequest("missing body: expected {\"Key\": \"<base64 key>\"}");
        }
        if (req.body().length > MAX_BODY_BYTES) {
            throw HttpError.badRequest("body larger than " + MAX_BODY_BYTES + " bytes");
        }
        JsonElement e = Json.parse(req.body());
        if (!e.isJsonObject()) {
            throw HttpError.badRequest("expected {\"Key\": \"<base64 key>\"}");
        }
        JsonObject o = e.getAsJsonObject();
        JsonElement k = o.get("Key");
        if (k == null || !k.isJsonPrimitive() || !k.getAsJsonPrimitive().isString() || k.getAsString().isEmpty()) {
            throw HttpError.badRequest("missing or empty \"Key\": expected {\"Key\": \"<base64 key>\"}");
        }
        String key = k.getAsString().trim();
        if (key.length() > MAX_KEY_CHARS) {
            throw HttpError.badRequest("\"Key\" is longer than " + MAX_KEY_CHARS + " characters");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException ex) {
            throw HttpError.badRequest("\"Key\" is not valid base64");
        }
        if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
            throw HttpError.badRequest("\"Key\" must be an AES key of 16, 24 or 32 bytes, got " + raw.length);
        }
        // Canonical form (padded), as keyrings list their keys, so members compare it as they list it.
        return Base64.getEncoder().encodeToString(raw);
    }
}
