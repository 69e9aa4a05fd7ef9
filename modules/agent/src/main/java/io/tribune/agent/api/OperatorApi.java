package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.api.consensus.Consensus;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.api.consensus.ServerInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code /v1/operator/raft/*}: the Raft configuration as Consul shows it
 * ({@code GET /v1/operator/raft/configuration}: {@code Servers[{ID, Node, Address, Leader, Voter,
 * ProtocolVersion}], Index}) and the removal of a server ({@code DELETE
 * /v1/operator/raft/peer?id=|address=}).
 *
 * <p>Both run on the leader: the configuration read passes the leader's read barrier (unless
 * {@code ?stale}), and a removal is a leader-only consensus change; on a follower the whole request
 * is sent to the leader by {@link io.tribune.agent.rpc.Forwarder#readOnLeader}. Client agents
 * forward the request to a server before it gets here.
 */
final class OperatorApi {
    /** How long a removal may take to commit. */
    static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(10);
    /** Consul reports Raft protocol version 3 for current servers. */
    static final String RAFT_PROTOCOL = "3";
    private final Agent agent;

    OperatorApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        ApiSupport.checkDc(req, agent);
        return switch (rest) {
            case "configuration" -> configuration(req);
            case "peer" -> removePeer(req);
            default -> throw HttpError.notFound("no API at " + req.path());
        };
    }

    private CompletableFuture<HttpResponse> configuration(HttpRequest req) {
        ApiSupport.method(req, "GET");
        Consensus c = ApiSupport.consensus(agent);
        ReadConsistency mode = KvApi.Reads.mode(req);
        return onLeader(req, () -> c.readBarrier(mode, KvApi.APPLY_TIMEOUT).thenApply(index -> {
            HttpResponse r = Json.ok(configurationJson(c, index), req);
            r.header("X-Consul-Index", Long.toString(Math.max(1, index)));
            AgentApi.consistencyHeaders(r, c);
            return r;
        }));
    }

    /** Consul's {@code RaftConfigurationResponse} for the configuration {@code c} knows. */
    static Map<String, Object> configurationJson(Consensus c, long index) {
        Optional<String> leaderId = c.leadership().leader().map(ServerInfo::id);
        List<Map<String, Object>> servers = new ArrayList<>();
        for (ServerInfo s : c.configuration()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("ID", NodeIds.of(s.id()));
            o.put("Node", s.id());
            o.put("Address", s.endpoint().toString());
            o.put("Leader", leaderId.map(s.id()::equals).orElse(false));
            o.put("Voter", s.voter());
            o.put("ProtocolVersion", RAFT_PROTOCOL);
            servers.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Servers", servers);
        out.put("Index", index);
        return out;
    }

    private CompletableFuture<HttpResponse> removePeer(HttpRequest req) {
        ApiSupport.method(req, "DELETE");
        Optional<String> id = req.param("id").filter(s -> !s.isEmpty());
        Optional<String> address = req.param("address").filter(s -> !s.isEmpty());
        if (id.isPresent() == address.isPresent()) {
            throw HttpError.badRequest("Must specify either ?id with the server's ID or ?address with IP:port of peer to remove");
        }
        Consensus c = ApiSupport.consensus(agent);
        return onLeader(req, () -> {
            if (!c.isLeader()) {
                // NotLeaderException makes the forwarder send the request to the leader (or hold it
                // during an election). Not a read barrier: a follower may serve those itself now.
                return CompletableFuture.failedFuture(new NotLeaderException(c.leadership().leader()));
            }
            ServerInfo target = find(c.configuration(), id, address).orElseThrow(() -> HttpError.badRequest(
                    (id.isPresent() ? "id \"" + ApiSupport.abbreviate(id.get()) : "address \""
                            + ApiSupport.abbreviate(address.orElseThrow())) + "\" was not found in the Raft configuration"));
            return c.removeServer(target.id(), CHANGE_TIMEOUT).thenApply(v -> HttpResponse.empty(200));
        });
    }

    /** The server named by {@code id} (its node name or node ID) or by {@code address} ("host:port"). */
    static Optional<ServerInfo> find(List<ServerInfo> config, Optional<String> id, Optional<String> address) {
        for (ServerInfo s : config) {
            if (id.isPresent() && (s.id().equals(id.get()) || NodeIds.of(s.id()).equals(id.get()))) {
                return Optional.of(s);
            }
            if (address.isPresent() && s.endpoint().toString().equals(address.get())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private CompletableFuture<HttpResponse> onLeader(HttpRequest req,
                                                     java.util.function.Supplier<CompletableFuture<HttpResponse>> local) {
        return agent.rpc().readOnLeader(req, local).exceptionally(t -> {
            throw new CompletionException(KvApi.Writes.mapFailure(t));
        });
    }
}
