package io.tribune.agent.api;

import io.tribune.agent.Agent;
import io.tribune.agent.http.HttpError;
import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.agent.http.Json;
import io.tribune.agent.rpc.RequestIds;
import io.tribune.state.Command;
import io.tribune.state.CommandValidator;
import io.tribune.state.EventRecord;
import io.tribune.state.RequestId;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/event/fire/<name>} records a user event through consensus (so every server lists it)
 * and broadcasts it on the LAN pool (so every agent's watchers hear it); {@code /v1/event/list}
 * lists recorded events ({@code ?name=}) with blocking queries.
 */
final class EventApi {
    private static final System.Logger LOG = System.getLogger(EventApi.class.getName());
    private final Agent agent;

    EventApi(Agent agent) {
        this.agent = agent;
    }

    CompletableFuture<HttpResponse> handle(HttpRequest req, String rest) {
        if (rest.startsWith("fire/")) {
            return fire(req, ApiSupport.segment(rest.substring("fire/".length()), "event name"));
        }
        if (rest.equals("list")) {
            String name = req.param("name").orElse("");
            if (name.getBytes(StandardCharsets.UTF_8).length > CommandValidator.MAX_NAME_BYTES) {
                throw HttpError.badRequest("event name is longer than " + CommandValidator.MAX_NAME_BYTES + " bytes");
            }
            return ApiSupport.read(req, agent, WatchTarget.table(Table.EVENTS),
                    () -> ApiSupport.state(agent).events(name), events -> {
                        List<Object> out = new ArrayList<>();
                        events.forEach(e -> out.add(ConsulJson.event(e)));
                        return out;
                    });
        }
        throw HttpError.notFound("no API at " + req.path());
    }

    private CompletableFuture<HttpResponse> fire(HttpRequest req, String name) {
        ApiSupport.method(req, "PUT");
        ApiSupport.checkDc(req, agent);
        byte[] payload = req.body();
        if (payload.length > CommandValidator.MAX_EVENT_PAYLOAD_BYTES) {
            throw new HttpError(413, "User event payload too large: " + payload.length + " bytes, the limit is "
                    + CommandValidator.MAX_EVENT_PAYLOAD_BYTES + " bytes");
        }
        // From the request id: a retry of the request (its reply lost) names the same event, which
        // the state machine then answers as the first time instead of recording it twice.
        RequestId request = agent.rpc().requestId(req);
        String id = RequestIds.uuid(request, "event");
        EventRecord event = new EventRecord(id, name, payload, req.param("node").orElse(""),
                req.param("service").orElse(""), req.param("tag").orElse(""), 0);
        return KvApi.Writes.apply(agent, request, new Command.EventFire(event), true).thenApply(r -> {
            CatalogApi.done(r, req);
            // The store set LTime to the raft index that recorded it; answer with what it keeps.
            EventRecord recorded = ApiSupport.state(agent).events(name).value().stream()
                    .filter(e -> e.id().equals(id)).findFirst().orElse(event);
            broadcast(recorded);
            return Json.ok(ConsulJson.event(recorded), req);
        });
    }

    /** Gossip delivery is best effort: the event is already recorded, so a failed broadcast is logged only. */
    private void broadcast(EventRecord e) {
        try {
            agent.membership().broadcast(e.name(), e.payload(), false).whenComplete((x, err) -> {
                if (err != null) {
                    LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
                }
            });
        } catch (RuntimeException err) {
            LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
        }
    }
}
