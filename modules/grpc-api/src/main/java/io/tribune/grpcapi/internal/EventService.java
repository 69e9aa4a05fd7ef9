package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.EventsGrpc;
import io.tribune.api.grpc.v1.FireEventRequest;
import io.tribune.api.grpc.v1.FireEventResponse;
import io.tribune.api.grpc.v1.ListEventsRequest;
import io.tribune.api.grpc.v1.ListEventsResponse;
import io.tribune.state.Command;
import io.tribune.state.CommandValidator;
import io.tribune.state.EventRecord;
import io.tribune.state.Indexed;
import io.tribune.state.StateStore;
import java.util.List;
import java.util.UUID;

/**
 * {@code tribune.v1.Events}: fire records the event through consensus (so every server lists it)
 * and then broadcasts it on the LAN pool (best effort: the event is already recorded); list reads.
 */
public final class EventService extends EventsGrpc.EventsImplBase {
    private static final System.Logger LOG = System.getLogger(EventService.class.getName());
    private final Backend b;

    /** The service over {@code backend}. */
    public EventService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void fire(FireEventRequest req, StreamObserver<FireEventResponse> out) {
        Backend.unary(out, () -> {
            String name = Backend.name("event name", req.getName());
            if (req.getPayload().size() > CommandValidator.MAX_EVENT_PAYLOAD_BYTES) {
                throw Errors.invalid("event payload too large (" + req.getPayload().size() + " bytes > "
                        + CommandValidator.MAX_EVENT_PAYLOAD_BYTES + ")");
            }
            StateStore state = b.state();
            String id = UUID.randomUUID().toString();
            EventRecord event = new EventRecord(id, name, req.getPayload().toByteArray(),
                    Backend.optionalName("node_filter", req.getNodeFilter()),
                    Backend.optionalName("service_filter", req.getServiceFilter()),
                    Backend.optionalName("tag_filter", req.getTagFilter()), 0);
            return b.writeOk(new Command.EventFire(event)).thenApply(w -> {
                // The store sets the Lamport time to the recording index; answer with what it keeps.
                EventRecord recorded = state.events(name).value().stream().filter(e -> e.id().equals(id))
                        .findFirst().orElse(event.withLtime(w.index()));
                broadcast(recorded);
                return FireEventResponse.newBuilder().setMeta(w.meta()).setEvent(Convert.event(recorded)).build();
            });
        });
    }

    private void broadcast(EventRecord e) {
        try {
            b.agent().membership().broadcast(e.name(), e.payload(), false).whenComplete((x, err) -> {
                if (err != null) {
                    LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
                }
            });
        } catch (RuntimeException err) {
            LOG.log(System.Logger.Level.WARNING, "broadcasting user event " + e.name() + " failed: " + err);
        }
    }

    @Override
    public void list(ListEventsRequest req, StreamObserver<ListEventsResponse> out) {
        Backend.unary(out, () -> {
            String name = Backend.optionalName("event name", req.getName());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<List<EventRecord>> r = state.events(name);
                ListEventsResponse.Builder resp = ListEventsResponse.newBuilder().setMeta(b.meta(r.index()));
                r.value().forEach(e -> resp.addEvents(Convert.event(e)));
                return resp.build();
            });
        });
    }
}
