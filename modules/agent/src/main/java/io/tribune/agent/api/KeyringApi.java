package io.tribune.agent.api;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.api.SpiKind;
import io.tribune.api.membership.Keyring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/operator/keyring}: the gossip encryption keyring of this agent's LAN pool, over the
 * membership plugin's optional {@link Keyring} capability. {@code GET} lists the keys in Consul's
 * shape ({@code [{WAN, Datacenter, Segment, Keys{key: count}, PrimaryKeys{key: count}, NumNodes}]});
 * {@code POST} installs, {@code PUT} makes primary and {@code DELETE} removes the key given as
 * {@code {"Key": "<base64>"}}.
 *
 * <p><b>Scope.</b> Operations act on this agent's keyring only ({@code NumNodes} is 1): Consul
 * fans them out to every member with a gossip query, which the membership SPI does not offer. A
 * rotation therefore runs the same operation against every agent's HTTP API. A membership plugin
 * without a keyring (membership-static, used by {@code -dev}) answers 501 with a clear message.
 */
final class KeyringApi {
    /** Largest request body: a base64 key of 32 bytes is 44 characters. */
    static final int MAX_BODY_BYTES = 4096;
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
        Keyring keyring = agent.membership().keyring().orElseThrow(() -> new HttpError(501,
                "gossip encryption is not enabled: the membership plugin '"
                        + agent.plugins().getOrDefault(SpiKind.MEMBERSHIP, "?") + "' has no keyring (use gossip-swim with an encryption key)"));
        if (req.method().equals("GET") || req.method().equals("HEAD")) {
            return CompletableFuture.completedFuture(Json.ok(List.of(listing(keyring)), req));
        }
        String key = key(req);
        try {
            switch (req.method()) {
                case "POST" -> keyring.install(key);
                case "PUT" -> keyring.use(key);
                default -> keyring.remove(key);
            }
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest(e.getMessage());
        }
        return CompletableFuture.completedFuture(HttpResponse.empty(200));
    }

    private Map<String, Object> listing(Keyring keyring) {
        Map<String, Integer> keys = new LinkedHashMap<>();
        keyring.keys().forEach(k -> keys.put(k, 1));
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("WAN", false);
        o.put("Datacenter", agent.config().datacenter());
        o.put("Segment", "");
        o.put("Keys", keys);
        o.put("PrimaryKeys", Map.of(keyring.primaryKey(), 1));
        o.put("NumNodes", 1);
        return o;
    }

    /** The {@code Key} of a {@code {"Key": "..."}} body; 400 for anything else. */
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
        return k.getAsString();
    }
}
