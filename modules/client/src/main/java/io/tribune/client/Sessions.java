package io.tribune.client;

import io.tribune.api.grpc.v1.Session;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.api.grpc.v1.SessionCreateResponse;
import io.tribune.api.grpc.v1.SessionDestroyResponse;
import io.tribune.api.grpc.v1.SessionIdRequest;
import io.tribune.api.grpc.v1.SessionInfoResponse;
import io.tribune.api.grpc.v1.SessionListRequest;
import io.tribune.api.grpc.v1.SessionListResponse;
import io.tribune.api.grpc.v1.SessionRenewResponse;
import io.tribune.api.grpc.v1.SessionsGrpc;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Sessions, the owners of KV locks. */
public final class Sessions {
    private final Calls calls;

    Sessions(Calls calls) {
        this.calls = calls;
    }

    private SessionsGrpc.SessionsStub stub() {
        return calls.timed(SessionsGrpc.newStub(calls.channel));
    }

    /** Creates a session; completes with its id. */
    public CompletableFuture<String> createAsync(SessionCreateRequest req) {
        return Calls.<SessionCreateResponse>future(o -> stub().create(req, o)).thenApply(SessionCreateResponse::getId);
    }

    /** Creates a session; returns its id. */
    public String create(SessionCreateRequest req) {
        return Calls.await(createAsync(req), r -> r);
    }

    /** Destroys a session, releasing or deleting its locks; false when it did not exist. */
    public boolean destroy(String id) {
        return Calls.await(destroyAsync(id), r -> r);
    }

    /** Restarts a session's TTL, asynchronously; fails with NOT_FOUND when it no longer exists. */
    public CompletableFuture<Session> renewAsync(String id) {
        SessionIdRequest req = SessionIdRequest.newBuilder().setId(id).build();
        return Calls.<SessionRenewResponse>future(o -> stub().renew(req, o)).thenApply(SessionRenewResponse::getSession);
    }

    /** Restarts a session's TTL; NOT_FOUND when it no longer exists. */
    public Session renew(String id) {
        return Calls.await(renewAsync(id), r -> r);
    }

    /** Destroys a session, asynchronously; completes with whether it existed. */
    public CompletableFuture<Boolean> destroyAsync(String id) {
        SessionIdRequest req = SessionIdRequest.newBuilder().setId(id).build();
        return Calls.<SessionDestroyResponse>future(o -> stub().destroy(req, o)).thenApply(SessionDestroyResponse::getExisted);
    }

    /** A session, if it exists. */
    public Optional<Session> info(String id) {
        SessionIdRequest req = SessionIdRequest.newBuilder().setId(id).setRead(calls.read).build();
        return Calls.await(Calls.<SessionInfoResponse>future(o -> stub().info(req, o)),
                r -> r.getFound() ? Optional.of(r.getSession()) : Optional.empty());
    }

    /** Every session, or those of {@code node} when it is not empty. */
    public List<Session> list(String node) {
        SessionListRequest req = SessionListRequest.newBuilder().setNode(node).setRead(calls.read).build();
        return Calls.await(Calls.<SessionListResponse>future(o -> stub().list(req, o)),
                SessionListResponse::getSessionsList);
    }
}
