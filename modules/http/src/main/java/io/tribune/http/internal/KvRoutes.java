package io.tribune.http.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import io.tribune.agent.local.JsonIn;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Txn;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.KvEntry;
import io.tribune.state.TxnOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/kv/<key>} ({@code ?recurse}, {@code ?keys} with {@code ?separator}, {@code ?raw},
 * {@code ?cas}, {@code ?flags}, {@code ?acquire}, {@code ?release}) and {@code PUT /v1/txn}: Consul's
 * KV endpoints translated to the request layer's {@link Kv} and {@link Txn} operations.
 */
final class KvRoutes {
    private final Requests requests;

    KvRoutes(Requests requests) {
        this.requests = requests;
    }

    CompletableFuture<HttpResponse> kv(HttpRequest req, String key) {
        boolean recurse = req.has("recurse") || req.has("keys");
        if (key.isEmpty() && !recurse && !req.method().equals("DELETE")) {
            throw HttpError.badRequest("Missing key name");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > CommandValidator.MAX_KEY_BYTES) {
            throw HttpError.badRequest("key is longer than " + CommandValidator.MAX_KEY_BYTES + " bytes");
        }
        for (String p : List.of("index", "cas")) {
            req.indexParam(p);
        }
        return switch (req.method()) {
            case "GET", "HEAD" -> get(req, key);
            case "PUT", "POST" -> put(req, key);
            case "DELETE" -> delete(req, key);
            default -> throw HttpError.methodNotAllowed(req.method(), req.path());
        };
    }

    private CompletableFuture<HttpResponse> get(HttpRequest req, String key) {
        boolean keys = req.has("keys");
        boolean recurse = req.has("recurse");
        Optional<String> separator = req.param("separator");
        if (separator.isPresent() && !keys) {
            throw HttpError.badRequest("separator is only valid with keys");
        }
        Options o = Params.read(req);
        if (keys) {
            return Calls.read(requests, new Kv.Keys(key, separator.orElse("")), o,
                    // Consul answers an empty prefix with a 404 and no body (not "[]").
                    v -> v.isEmpty() ? HttpResponse.empty(404) : Json.ok(v, req));
        }
        if (recurse) {
            return Calls.read(requests, new Kv.Entries(key), o, v -> {
                if (v.isEmpty()) {
                    return HttpResponse.empty(404);
                }
                return Json.ok(v, req);
            });
        }
        return Calls.read(requests, new Kv.Get(key), o, v -> {
            if (v.isEmpty()) {
                return HttpResponse.empty(404);
            }
            KvEntry e = v.get();
            if (req.has("raw")) {
                return HttpResponse.bytes(200, "text/plain; charset=utf-8", e.value());
            }
            // The hottest answer of the API: streamed, not built as a list of maps first.
            return HttpResponse.json(200, Json.write(req, out -> {
                out.beginArray();
                Json.writeKv(out, e);
                out.endArray();
            }));
        });
    }

    private CompletableFuture<HttpResponse> put(HttpRequest req, String key) {
        long flags = req.param("flags").map(KvRoutes::unsignedLong).orElse(0L);
        Optional<String> acquire = req.param("acquire");
        Optional<String> release = req.param("release");
        if (acquire.isPresent() && release.isPresent()) {
            throw HttpError.badRequest("Conflicting flags: acquire and release");
        }
        Op<Boolean> op;
        if (acquire.isPresent()) {
            op = new Kv.Acquire(key, req.body(), flags, acquire.get());
        } else if (release.isPresent()) {
            op = new Kv.Release(key, req.body(), flags, release.get());
        } else {
            OptionalLong cas = req.indexParam("cas").map(OptionalLong::of).orElse(OptionalLong.empty());
            op = new Kv.Set(key, req.body(), flags, cas);
        }
        return Calls.value(requests, op, Params.write(req)).thenApply(b -> Json.ok(b, req));
    }

    private static long unsignedLong(String s) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid flags '" + s + "': expected an unsigned 64-bit integer");
        }
    }

    private CompletableFuture<HttpResponse> delete(HttpRequest req, String key) {
        Op<Boolean> op;
        if (req.has("recurse")) {
            if (req.has("cas")) {
                throw HttpError.badRequest("Conflicting flags: cas cannot be used with recurse");
            }
            op = new Kv.DeleteTree(key);
        } else {
            if (key.isEmpty()) {
                throw HttpError.badRequest("Missing key name");
            }
            OptionalLong cas = req.indexParam("cas").map(OptionalLong::of).orElse(OptionalLong.empty());
            op = new Kv.Delete(key, cas);
        }
        return Calls.value(requests, op, Params.write(req)).thenApply(b -> Json.ok(b, req));
    }

    // ---------------------------------------------------------------- txn

    /**
     * {@code PUT /v1/txn}: up to 64 KV operations applied atomically. Success is a 200 with
     * {@code Results}; a failed operation rolls everything back and answers 409 with {@code Errors}
     * ({@code OpIndex}, {@code What}), as Consul does. Only {@code KV} operations are supported;
     * others are refused with a 400.
     */
    CompletableFuture<HttpResponse> txn(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        Params.method(req, "PUT");
        if (req.body().length == 0) {
            throw HttpError.badRequest("Failed to parse body: the request body is empty; expected a JSON array of "
                    + "operations");
        }
        JsonElement body = JsonIn.parse(new String(req.body(), StandardCharsets.UTF_8));
        if (!body.isJsonArray()) {
            throw HttpError.badRequest("Failed to parse body: expected a JSON array of operations, got "
                    + JsonIn.kind(body));
        }
        JsonArray ops = body.getAsJsonArray();
        if (ops.size() > CommandValidator.MAX_TXN_OPS) {
            throw new HttpError(413, "Transaction contains too many operations (" + ops.size() + " > "
                    + CommandValidator.MAX_TXN_OPS + ")");
        }
        List<TxnOp> parsed = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            parsed.add(txnOp(JsonIn.of(ops.get(i), "operation " + i), i));
        }
        return Calls.value(requests, new Txn.Apply(parsed), Params.write(req)).thenApply(t -> txnAnswer(t, req));
    }

    private static HttpResponse txnAnswer(CommandResult.TxnOutcome t, HttpRequest req) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (t.committed()) {
            List<Object> results = new ArrayList<>();
            for (KvEntry e : t.results()) {
                results.add(Map.of("KV", e));
            }
            out.put("Results", results);
            out.put("Errors", null);
            return Json.ok(out, req);
        }
        List<Object> errors = new ArrayList<>();
        for (CommandResult.TxnError e : t.errors()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("OpIndex", e.opIndex());
            o.put("What", e.what());
            errors.add(o);
        }
        out.put("Results", null);
        out.put("Errors", errors);
        return HttpResponse.json(409, Json.write(out, req));
    }

    private static TxnOp txnOp(JsonIn o, int i) {
        JsonIn kv = o.object("KV").orElseThrow(() -> HttpError.badRequest("operation " + i
                + ": only KV operations are supported (expected a \"KV\" object)"));
        String verbText = kv.string("Verb", "");
        TxnOp.Verb verb;
        try {
            verb = TxnOp.Verb.fromWire(verbText);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("operation " + i + ": unknown KV verb '" + Params.abbreviate(verbText) + "'");
        }
        byte[] value = new byte[0];
        String v = kv.string("Value", "");
        if (!v.isEmpty()) {
            try {
                value = Base64.getDecoder().decode(v);
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("operation " + i + ": Value is not valid base64: " + e.getMessage());
            }
        }
        if (value.length > CommandValidator.MAX_VALUE_BYTES) {
            throw new HttpError(413, "operation " + i + ": value too large (" + value.length + " bytes > "
                    + CommandValidator.MAX_VALUE_BYTES + ")");
        }
        return new TxnOp(verb, kv.string("Key", ""), value, kv.unsigned("Flags").orElse(0L),
                kv.integer("Index", 0, Long.MAX_VALUE).orElse(0L), kv.string("Session", ""));
    }
}
