package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Events;
import io.tribune.api.grpc.v1.EventsGrpc;
import io.tribune.api.grpc.v1.FireEventRequest;
import io.tribune.api.grpc.v1.FireEventResponse;
import io.tribune.api.grpc.v1.ListEventsRequest;
import io.tribune.api.grpc.v1.ListEventsResponse;

/**
 * {@code tribune.v1.Events}: fire records the event through consensus (so every server lists it) and
 * the server that records it broadcasts it on the LAN pool; list reads ({@link Events} operations).
 */
public final class EventService extends EventsGrpc.EventsImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public EventService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void fire(FireEventRequest req, StreamObserver<FireEventResponse> out) {
        Backend.unary(out, () -> b.write(new Events.Fire(req.getName(), req.getPayload().toByteArray(),
                req.getNodeFilter(), req.getServiceFilter(), req.getTagFilter()), r -> FireEventResponse.newBuilder()
                .setMeta(Backend.writeMeta(r.meta())).setEvent(Convert.event(r.value())).build()));
    }

    @Override
    public void list(ListEventsRequest req, StreamObserver<ListEventsResponse> out) {
        Backend.unary(out, () -> b.read(new Events.Named(req.getName()), req.getRead(), r -> {
            ListEventsResponse.Builder resp = ListEventsResponse.newBuilder().setMeta(Backend.meta(r.meta()));
            r.value().forEach(e -> resp.addEvents(Convert.event(e)));
            return resp.build();
        }));
    }
}
