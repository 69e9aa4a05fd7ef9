package io.tribune.agent.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.KvEntry;
import io.tribune.state.TxnOp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code PUT /v1/txn}: up to 64 KV operations applied atomically through consensus. Success is a
 * 200 with {@code Results}; a failed operation rolls everything back and answers 409 with
 * {@code Errors} ({@code OpIndex}, {@code What}), as Consul does. Only {@code KV} operations are
 * supported so far; catalog operations in a transaction are refused with a 400.
 */
final class TxnApi {
    private final Agent agent;

    TxnApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        ApiSupport.method(req, "PUT");
        ApiSupport.checkDc(req, agent);
        if (req.body().length == 0) {
            throw HttpError.badRequest("Failed to parse body: the request body is empty; expected a JSON array of "
                    + "operations");
        }
        JsonElement body = Json.parse(req.body());
        if (!body.isJsonArray()) {
            throw HttpError.badRequest("Failed to parse body: expected a JSON array of operations, got "
                    + JsonIn.kind(body));
        }
        JsonArray ops = body.getAsJsonArray();
        if (ops.size() > CommandValidator.MAX_TXN_OPS) {
            throw new HttpError(413, "Transaction contains too many operations (" + ops.size() + " > "
                    + CommandValidator.MAX_TXN_OPS + ")");
        }
        if (ops.isEmpty()) {
            throw HttpError.badRequest("Transaction contains no operations");
        }
        List<TxnOp> parsed = new ArrayList<>(ops.size());
        for (int i = 0; i < ops.size(); i++) {
            parsed.add(op(JsonIn.of(ops.get(i), "operation " + i), i));
        }
        Command cmd = new Command.KvTxn(parsed, agent.platform().wallMillis());
        return KvApi.Writes.apply(agent, req, cmd).thenApply(r -> {
            if (!(r instanceof CommandResult.TxnOutcome t)) {
                throw KvApi.Writes.failure(r);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            if (t.committed()) {
                List<Object> results = new ArrayList<>();
                for (KvEntry e : t.results()) {
                    results.add(Map.of("KV", KvApi.json(e)));
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
        });
    }

    private static TxnOp op(JsonIn o, int i) {
        JsonIn kv = o.object("KV").orElseThrow(() -> HttpError.badRequest("operation " + i
                + ": only KV operations are supported (expected a \"KV\" object)"));
        String verbText = kv.string("Verb", "");
        TxnOp.Verb verb;
        try {
            verb = TxnOp.Verb.fromWire(verbText);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("operation " + i + ": unknown KV verb '" + ApiSupport.abbreviate(verbText)
                    + "'");
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
