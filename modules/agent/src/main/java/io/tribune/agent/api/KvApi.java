package io.tribune.agent.api;

import io.tribune.agent.Agent;

import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.BlockingWait;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.Indexed;
import io.tribune.state.RequestId;
import io.tribune.state.KvEntry;
import io.tribune.state.StateStore;
import io.tribune.state.WatchTarget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code /v1/kv/<key>}: Consul's KV endpoint. Writes are commands proposed through consensus and
 * answered with the state machine's result; reads pass the read barrier of the requested
 * consistency mode and, with {@code ?index=}, block until the watched key or prefix moves past it.
 */
final class KvApi {
    /** How long a write may wait for its commit before the client gets an error. */
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);
    private final Agent agent;

    KvApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String key) {
        // A client agent's requests were forwarded to a server before reaching this route.
        StateStore state = ApiSupport.state(agent);
        Consensus consensus = ApiSupport.consensus(agent);
        ApiSupport.checkDc(req, agent);
        checkKey(key, req);
        return switch (req.method()) {
            case "GET", "HEAD" -> get(req, key, state, consensus);
            case "PUT", "POST" -> put(req, key, consensus);
            case "DELETE" -> delete(req, key, consensus);
            default -> throw HttpError.methodNotAllowed(req.method(), req.path());
        };
    }

    private void checkKey(String key, HttpRequest req) {
        boolean recurse = req.has("recurse") || req.has("keys");
        if (key.isEmpty() && !recurse && !req.method().equals("DELETE")) {
            throw HttpError.badRequest("Missing key name");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > CommandValidator.MAX_KEY_BYTES) {
            throw HttpError.badRequest("key is longer than " + CommandValidator.MAX_KEY_BYTES + " bytes");
        }
        for (String p : List.of("index", "cas")) {
            req.longParam(p);
        }
    }

    // ---- reads ----

    private CompletableFuture<HttpResponse> get(HttpRequest req, String key, StateStore state, Consensus consensus) {
        boolean keys = req.has("keys");
        boolean recurse = req.has("recurse");
        Optional<String> separator = req.param("separator");
        if (separator.isPresent() && !keys) {
            throw HttpError.badRequest("separator is only valid with keys");
        }
        WatchTarget target = keys || recurse ? WatchTarget.kvPrefix(key) : WatchTarget.kvKey(key);
        Supplier<HttpResponse> read = () -> {
            if (keys) {
                Indexed<List<String>> r = state.kvKeys(key, separator.orElse(""));
                return indexed(r.value().isEmpty() ? HttpResponse.json(404, "[]") : Json.ok(r.value(), req), r.index());
            }
            if (recurse) {
                Indexed<List<KvEntry>> r = state.kvList(key);
                if (r.value().isEmpty()) {
                    return indexed(HttpResponse.empty(404), r.index());
                }
                List<Map<String, Object>> out = new ArrayList<>();
                r.value().forEach(e -> out.add(json(e)));
                return indexed(Json.ok(out, req), r.index());
            }
            Indexed<Optional<KvEntry>> r = state.kvGet(key);
            if (r.value().isEmpty()) {
                return indexed(HttpResponse.empty(404), r.index());
            }
            KvEntry e = r.value().get();
            if (req.has("raw")) {
                return indexed(HttpResponse.bytes(200, "text/plain; charset=utf-8", e.value()), r.index());
            }
            return indexed(Json.ok(List.of(json(e)), req), r.index());
        };
        return Reads.serve(req, agent, consensus, state, target, read);
    }

    static HttpResponse indexed(HttpResponse r, long index) {
        return r.header("X-Consul-Index", Long.toString(Math.max(1, index)));
    }

    /** A KV entry as Consul's JSON: Value in base64 (null when empty), Session only when locked. */
    static Map<String, Object> json(KvEntry e) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("LockIndex", e.lockIndex());
        o.put("Key", e.key());
        o.put("Flags", new java.math.BigInteger(Long.toUnsignedString(e.flags())));
        o.put("Value", e.valueLength() == 0 ? null : Base64.getEncoder().encodeToString(e.value()));
        if (e.locked()) {
            o.put("Session", e.session());
        }
        o.put("CreateIndex", e.createIndex());
        o.put("ModifyIndex", e.modifyIndex());
        return o;
    }

    // ---- writes ----

    private CompletableFuture<HttpResponse> put(HttpRequest req, String key, Consensus consensus) {
        if (req.body().length > CommandValidator.MAX_VALUE_BYTES) {
            throw new HttpError(413, "Request body(" + req.body().length + " bytes) too large, max size: "
                    + CommandValidator.MAX_VALUE_BYTES + " bytes. See kv_max_value_size.");
        }
        long flags = req.param("flags").map(KvApi::unsignedLong).orElse(0L);
        Optional<String> acquire = req.param("acquire");
        Optional<String> release = req.param("release");
        if (acquire.isPresent() && release.isPresent()) {
            throw HttpError.badRequest("Conflicting flags: acquire and release");
        }
        Command cmd;
        if (acquire.isPresent()) {
            requireSession(acquire.get());
            cmd = new Command.KvAcquire(key, req.body(), flags, acquire.get(), agent.platform().wallMillis());
        } else if (release.isPresent()) {
            requireSession(release.get());
            cmd = new Command.KvRelease(key, req.body(), flags, release.get());
        } else {
            OptionalLong cas = req.longParam("cas").map(OptionalLong::of).orElse(OptionalLong.empty());
            cmd = new Command.KvSet(key, req.body(), flags, cas);
        }
        return Writes.apply(agent, req, cmd).thenApply(r -> boolResponse(r, req));
    }

    private static void requireSession(String id) {
        if (!CommandValidator.isSessionId(id)) {
            throw HttpError.badRequest("invalid session id '" + id + "': expected a UUID");
        }
    }

    private static long unsignedLong(String s) {
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("invalid flags '" + s + "': expected an unsigned 64-bit integer");
        }
    }

    private CompletableFuture<HttpResponse> delete(HttpRequest req, String key, Consensus consensus) {
        Command cmd;
        if (req.has("recurse")) {
            if (req.has("cas")) {
                throw HttpError.badRequest("Conflicting flags: cas cannot be used with recurse");
            }
            cmd = new Command.KvDeleteTree(key);
        } else {
            if (key.isEmpty()) {
                throw HttpError.badRequest("Missing key name");
            }
            OptionalLong cas = req.longParam("cas").map(OptionalLong::of).orElse(OptionalLong.empty());
            cmd = new Command.KvDelete(key, cas);
        }
        return Writes.apply(agent, req, cmd).thenApply(r -> boolResponse(r, req));
    }

    private static HttpResponse boolResponse(CommandResult r, HttpRequest req) {
        if (r instanceof CommandResult.Bool b) {
            return Json.ok(b.value(), req);
        }
        throw Writes.failure(r);
    }

    /** Proposing commands and mapping their outcomes to HTTP. */
    static final class Writes {
        private Writes() {
        }

        /**
         * Validates and proposes {@code cmd} through the agent's forwarder: locally on the leader,
         * on the leader from a follower (held during an election), on a server from a client. The
         * forwarder gives it a new request id; for a write that serves an HTTP request, use
         * {@link #apply(Agent, HttpRequest, Command)}, whose id survives the request's forwarding.
         */
        static CompletableFuture<CommandResult> apply(Agent agent, Command cmd) {
            return apply(agent, cmd, false);
        }

        /**
         * As {@link #apply(Agent, Command)} for the write that serves {@code req}: the command
         * carries the request's id ({@link io.tribune.agent.rpc.Forwarder#requestId}), so that a
         * retry of the request, even one another agent sent to another server after a lost reply,
         * is not applied a second time.
         */
        static CompletableFuture<CommandResult> apply(Agent agent, HttpRequest req, Command cmd) {
            return apply(agent, agent.rpc().requestId(req), cmd, false);
        }

        /** As {@link #apply(Agent, HttpRequest, Command)}, and as {@link #applyThenRead(Agent, Command)}. */
        static CompletableFuture<CommandResult> applyThenRead(Agent agent, HttpRequest req, Command cmd) {
            return apply(agent, agent.rpc().requestId(req), cmd, true);
        }

        /**
         * Validates {@code cmd} and proposes it under the request id {@code id} (for handlers that
         * derive values from the id first, such as a session's id).
         */
        static CompletableFuture<CommandResult> apply(Agent agent, RequestId id, Command cmd, boolean awaitLocal) {
            CommandValidator.validate(cmd).ifPresent(msg -> {
                throw HttpError.badRequest(msg);
            });
            return propose(agent, new Command.Dedup(id, agent.platform().wallMillis(), cmd), awaitLocal);
        }

        /**
         * As {@link #apply(Agent, Command)}, and on a follower completes only once the local state
         * has applied the write, for handlers that read local state right after it.
         */
        static CompletableFuture<CommandResult> applyThenRead(Agent agent, Command cmd) {
            return apply(agent, cmd, true);
        }

        private static CompletableFuture<CommandResult> apply(Agent agent, Command cmd, boolean awaitLocal) {
            CommandValidator.validate(cmd).ifPresent(msg -> {
                throw HttpError.badRequest(msg);
            });
            return propose(agent, cmd, awaitLocal);
        }

        private static CompletableFuture<CommandResult> propose(Agent agent, Command cmd, boolean awaitLocal) {
            return agent.rpc().apply(cmd.encode(), APPLY_TIMEOUT, awaitLocal)
                    .thenApply(a -> CommandResult.decode(a.result()))
                    .exceptionally(t -> {
                        throw new CompletionException(mapFailure(t));
                    });
        }

        static HttpError failure(CommandResult r) {
            if (r instanceof CommandResult.Failed f) {
                return switch (f.kind()) {
                    case INVALID -> HttpError.badRequest(f.message());
                    case NOT_FOUND -> new HttpError(404, f.message());
                    default -> new HttpError(500, f.message());
                };
            }
            return new HttpError(500, "unexpected result " + r);
        }

        static HttpError mapFailure(Throwable t) {
            Throwable c = t;
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof HttpError he) {
                return he;
            }
            if (c instanceof NotLeaderException nl) {
                return new HttpError(500, "No cluster leader: " + nl.getMessage());
            }
            if (c instanceof ConsensusException ce) {
                return new HttpError(500, ce.getMessage());
            }
            if (c instanceof TimeoutException) {
                return new HttpError(500, "timed out waiting for the write to commit");
            }
            return new HttpError(500, String.valueOf(c.getMessage()));
        }
    }

    /** Reads with Consul's consistency modes and blocking queries. */
    static final class Reads {
        private Reads() {
        }

        static ReadConsistency mode(HttpRequest req) {
            boolean stale = req.has("stale");
            boolean consistent = req.has("consistent");
            if (stale && consistent) {
                throw HttpError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
            }
            return stale ? ReadConsistency.STALE : consistent ? ReadConsistency.CONSISTENT : ReadConsistency.DEFAULT;
        }

        static Duration wait(HttpRequest req) {
            Optional<String> w = req.param("wait");
            Duration requested = null;
            if (w.isPresent() && !w.get().isEmpty()) {
                try {
                    requested = BlockingWait.parseDuration(w.get());
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest("invalid wait '" + w.get() + "': " + e.getMessage());
                }
            }
            return BlockingWait.effectiveWait(requested, ThreadLocalRandom.current().nextDouble());
        }

        /**
         * Passes the read barrier, waits for {@code target} to move past {@code ?index} (bounded by
         * {@code ?wait}), then runs {@code read} and adds the consistency headers. On a follower, a
         * barrier that needs the leader makes the whole request go to the leader (held during an
         * election); {@code stale} reads are always served here.
         */
        static CompletableFuture<HttpResponse> serve(HttpRequest req, Agent agent, Consensus consensus,
                                                     StateStore state, WatchTarget target,
                                                     Supplier<HttpResponse> read) {
            ReadConsistency mode = mode(req);
            long minIndex = req.longParam("index").orElse(0L);
            Duration wait = minIndex > 0 ? wait(req) : Duration.ZERO;
            Supplier<CompletableFuture<HttpResponse>> local = () -> {
                CompletableFuture<Long> barrier = consensus.readBarrier(mode, APPLY_TIMEOUT);
                CompletableFuture<?> ready = minIndex == 0 ? barrier
                        : barrier.thenCompose(i -> state.watch(target, minIndex)
                                .completeOnTimeout(-1L, wait.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
                java.util.function.Function<Object, HttpResponse> respond = x -> {
                    HttpResponse r = read.get();
                    AgentApi.consistencyHeaders(r, consensus, mode);
                    return r;
                };
                // A barrier that completes later completes on the consensus thread (or a watch
                // thread): build the answer elsewhere, so that one thread does not serialise every read.
                return ready.isDone() ? ready.thenApply(respond) : ready.thenApplyAsync(respond, agent.responseExecutor());
            };
            return agent.rpc().readOnLeader(req, local).exceptionally(t -> {
                throw new CompletionException(Writes.mapFailure(t));
            });
        }
    }
}
