package io.tribune.client;

import com.google.protobuf.ByteString;
import io.tribune.api.grpc.v1.EventsGrpc;
import io.tribune.api.grpc.v1.FireEventRequest;
import io.tribune.api.grpc.v1.FireEventResponse;
import io.tribune.api.grpc.v1.ListEventsRequest;
import io.tribune.api.grpc.v1.ListEventsResponse;
import io.tribune.api.grpc.v1.UserEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** User events. */
public final class Events {
    private final Calls calls;

    Events(Calls calls) {
        this.calls = calls;
    }

    private EventsGrpc.EventsStub stub() {
        return calls.timed(EventsGrpc.newStub(calls.channel));
    }

    /** Fires an event with every option; completes with the recorded event. */
    public CompletableFuture<UserEvent> fireAsync(FireEventRequest req) {
        return Calls.<FireEventResponse>future(o -> stub().fire(req, o)).thenApply(FireEventResponse::getEvent);
    }

    /** Fires {@code name} with {@code payload} (at most 512 bytes); returns the recorded event. */
    public UserEvent fire(String name, byte[] payload) {
        return Calls.await(fireAsync(FireEventRequest.newBuilder().setName(name)
                .setPayload(ByteString.copyFrom(payload)).build()), r -> r);
    }

    /** Recent events, oldest first; all when {@code name} is empty. */
    public List<UserEvent> list(String name) {
        ListEventsRequest req = ListEventsRequest.newBuilder().setName(name).setRead(calls.read).build();
        return Calls.await(Calls.<ListEventsResponse>future(o -> stub().list(req, o)),
                ListEventsResponse::getEventsList);
    }
}
