package io.tribune.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing (Jazzer) of what the HTTP API decodes from a client: the request target
 * (path and query string, {@link RequestUri}), the query parameters read into options
 * ({@link Params}), and the JSON bodies of every route that takes one, through the real routes of
 * {@link ConsulApi} on a server without a socket. The request layer is a stand-in that refuses
 * every operation with a fixed error, so a request either is refused by the decoders or reaches it
 * as a valid operation.
 *
 * <p>Contracts: the target decoder refuses only with a 400 {@link HttpError}; option parsing only
 * with an {@link HttpError} or, for the fields the request layer's options check themselves, a
 * {@code BAD_REQUEST} {@link AgentException} (both a 400 at the edge); a route answers every
 * request, with a client error (4xx) when the request is bad, and never with a 500 of its own (a
 * 500 means an exception escaped a decoder, or the stand-in's answer, told apart by its message). Sizes: bodies are bounded by the
 * server's request limit before they reach the routes; the routes check counts and lengths. The
 * normal build runs the targets over the seed corpus in
 * {@code src/test/resources/io/tribune/http/internal/HttpDecodersFuzzTestInputs/}; see
 * {@code docs/fuzzing.md}.
 */
class HttpDecodersFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/tribune/http/internal/HttpDecodersFuzzTestInputs");
    private static final String STAND_IN = "fuzz: the request layer is a stand-in";
    private static final List<String> METHODS = List.of("GET", "PUT", "POST", "DELETE");
    /** Routes that read query parameters or a body; the fuzzer's target is appended. */
    static final List<String> PREFIXES = List.of("/v1/kv/", "/v1/txn", "/v1/agent/service/register",
            "/v1/agent/check/register", "/v1/catalog/register", "/v1/catalog/deregister", "/v1/session/create",
            "/v1/event/fire/", "/v1/health/service/", "/v1/catalog/service/", "/v1/agent/maintenance",
            "/v1/coordinate/update", "/v1/operator/keyring", "/v1/agent/check/update/", "/v1/session/renew/",
            "/v1/agent/service/maintenance/", "/v1/catalog/nodes", "/v1/operator/raft/peer");
    private static final HttpServer SERVER = server();

    private static HttpServer server() {
        AgentConfig config = new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"fuzz\"}")
                .getAsJsonObject(), "fuzz").build();
        Requests refuseAll = new Requests() {
            @Override
            public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
                return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.UNAVAILABLE, STAND_IN));
            }
        };
        HttpServer s = new HttpServer(config.limits().maxRequestBytes());
        ConsulApi.register(s, refuseAll, config);
        return s;
    }

    @FuzzTest(maxDuration = "5m")
    void requestTarget(byte[] data) {
        String target = new String(data, StandardCharsets.ISO_8859_1);
        RequestUri.Decoded d;
        try {
            d = RequestUri.decode(target);
        } catch (HttpError refused) {
            assertEquals(400, refused.status(), refused.getMessage());
            return;
        }
        assertTrue(d.query().size() <= RequestUri.MAX_PARAMS);
        HttpRequest req = new HttpRequest("GET", d.path(), d.query(), Map.of(), new byte[0], "fuzz");
        try {
            Params.read(req);
            Params.write(req);
            Params.nodeMeta(req);
            Params.tags(req);
            Params.flag(req, "passing");
        } catch (HttpError refused) {
            assertEquals(400, refused.status(), refused.getMessage());
        } catch (AgentException refused) {
            // Options check their own fields (lengths of dc, token): the request layer's refusal,
            // which the front end's one error table turns into a 400 too.
            assertEquals(AgentException.Kind.BAD_REQUEST, refused.kind(), refused.getMessage());
        }
    }

    /**
     * Input: a selector byte (method and route), then the request target that follows the route's
     * prefix, a zero byte, and the body.
     */
    @FuzzTest(maxDuration = "5m")
    void routes(byte[] data) throws Exception {
        if (data.length == 0) {
            return;
        }
        int sel = data[0] & 0xFF;
        String method = METHODS.get(sel % METHODS.size());
        String prefix = PREFIXES.get((sel / METHODS.size()) % PREFIXES.size());
        int zero = indexOf(data, 1);
        String target = prefix + new String(data, 1, zero - 1, StandardCharsets.ISO_8859_1);
        byte[] body = zero < data.length ? Arrays.copyOfRange(data, zero + 1, data.length) : new byte[0];
        HttpRequest req;
        try {
            RequestUri.Decoded d = RequestUri.decode(target);
            req = new HttpRequest(method, d.path(), d.query(), Map.of(), body, "fuzz");
        } catch (HttpError refused) {
            return;
        }
        HttpResponse r = SERVER.handle(req).get(10, TimeUnit.SECONDS);
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.status() >= 500) {
            assertEquals(STAND_IN, text, "a decoder failed with " + r.status() + " on " + method + " " + target);
        }
        assertTrue(r.status() >= 200 && r.status() < 600, "status " + r.status());
        // The library's own words, unless the client sent them (error messages may quote its input).
        String sent = target + new String(body, StandardCharsets.ISO_8859_1) + new String(body, StandardCharsets.UTF_8);
        for (String internal : List.of("JsonReader", "setStrictness", "Troubleshooting", "Exception")) {
            assertFalse(text.contains(internal) && !sent.contains(internal), "a library's internals leaked: " + text);
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return b.length;
    }

    /** Rewrites the seed corpus; skipped unless {@code -Dtribune.fuzz.write-seeds=true} (run from the module directory). */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        Path targets = SEEDS.resolve("requestTarget");
        Files.createDirectories(targets);
        String[] t = {"/v1/kv/a/b?recurse&index=18446744073709551615&wait=1m30s", "/v1/health/service/web?passing=t"
                + "&tag=a&tag=b&node-meta=rack:r1&stale&max_stale=2s", "/v1/kv/u8/%C3%A9?dc=dc1&token=x+y",
                "/v1/catalog/nodes?consistent&cached#frag"};
        for (int i = 0; i < t.length; i++) {
            Files.write(targets.resolve("seed-" + i), t[i].getBytes(StandardCharsets.ISO_8859_1));
        }
        Path routes = SEEDS.resolve("routes");
        Files.createDirectories(routes);
        Object[][] seeds = {
            {"PUT", "/v1/kv/", "a/b?flags=3&cas=0", "value"},
            {"PUT", "/v1/txn", "", "[{\"KV\": {\"Verb\": \"set\", \"Key\": \"k\", \"Value\": \"dg==\"}},"
                    + " {\"KV\": {\"Verb\": \"cas\", \"Key\": \"k\", \"Index\": 3}}]"},
            {"PUT", "/v1/agent/service/register", "", "{\"ID\": \"web1\", \"Name\": \"web\", \"Tags\": [\"a\"],"
                    + " \"Port\": 80, \"Meta\": {\"v\": \"1\"}, \"Check\": {\"TTL\": \"10s\"},"
                    + " \"Weights\": {\"Passing\": 3, \"Warning\": 1}}"},
            {"PUT", "/v1/agent/check/register", "", "{\"Name\": \"mem\", \"HTTP\": \"http://127.0.0.1:1/\","
                    + " \"Interval\": \"10s\", \"Timeout\": \"1s\", \"DeregisterCriticalServiceAfter\": \"1m\"}"},
            {"PUT", "/v1/catalog/register", "", "{\"Node\": \"n1\", \"Address\": \"10.0.0.1\", \"TaggedAddresses\":"
                    + " {\"wan\": \"1.2.3.4\"}, \"NodeMeta\": {\"rack\": \"r1\"}, \"Service\": {\"Service\": \"web\","
                    + " \"Port\": 80}, \"Checks\": [{\"CheckID\": \"c1\", \"Status\": \"passing\"}]}"},
            {"PUT", "/v1/catalog/deregister", "", "{\"Node\": \"n1\", \"ServiceID\": \"web\"}"},
            {"PUT", "/v1/session/create", "", "{\"Name\": \"s\", \"TTL\": \"30s\", \"LockDelay\": \"15s\","
                    + " \"Behavior\": \"delete\", \"Checks\": [\"serfHealth\"]}"},
            {"PUT", "/v1/event/fire/", "deploy?node=n.*&service=web&tag=v1", "payload"},
            {"PUT", "/v1/coordinate/update", "", "{\"Node\": \"n1\", \"Coord\": {\"Vec\": [0.1, 0.2],"
                    + " \"Error\": 1.5, \"Adjustment\": 0, \"Height\": 1e-5}}"},
            {"POST", "/v1/operator/keyring", "", "{\"Key\": \"pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=\"}"},
            {"PUT", "/v1/agent/maintenance", "?enable=True&reason=x", ""},
            {"GET", "/v1/health/service/", "web?passing=1&tag=a&node-meta=k:v&index=5&wait=10s", ""},
        };
        for (int i = 0; i < seeds.length; i++) {
            int m = METHODS.indexOf((String) seeds[i][0]);
            int p = PREFIXES.indexOf((String) seeds[i][1]);
            byte[] target = ((String) seeds[i][2]).getBytes(StandardCharsets.ISO_8859_1);
            byte[] body = ((String) seeds[i][3]).getBytes(StandardCharsets.UTF_8);
            byte[] in = new byte[2 + target.length + body.length];
            in[0] = (byte) (p * METHODS.size() + m);
            System.arraycopy(target, 0, in, 1, target.length);
            in[1 + target.length] = 0;
            System.arraycopy(body, 0, in, 2 + target.length, body.length);
            Files.write(routes.resolve(String.format("seed-%02d", i)), in);
        }
    }
}
