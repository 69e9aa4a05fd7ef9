package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.agent.rpc.Sessions;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.api.grpc.v1.SessionCreateResponse;
import io.tribune.api.grpc.v1.SessionDestroyResponse;
import io.tribune.api.grpc.v1.SessionIdRequest;
import io.tribune.api.grpc.v1.SessionInfoResponse;
import io.tribune.api.grpc.v1.SessionListRequest;
import io.tribune.api.grpc.v1.SessionListResponse;
import io.tribune.api.grpc.v1.SessionRenewResponse;
import io.tribune.api.grpc.v1.SessionsGrpc;
import io.tribune.state.CommandValidator;
import io.tribune.state.SessionBehavior;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code tribune.v1.Sessions} ({@link Sessions} operations). Defaults follow Consul's HTTP API: the
 * node of the agent the caller talks to, the {@code serfHealth} check and a 15 s lock-delay.
 */
public final class SessionService extends SessionsGrpc.SessionsImplBase {
    private final Backend b;

    /** The service over {@code backend}. */
    public SessionService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void create(SessionCreateRequest req, StreamObserver<SessionCreateResponse> out) {
        Backend.unary(out, () -> {
            if (req.getNodeChecksCount() > CommandValidator.MAX_CHECKS) {
                throw Errors.invalid("too many session checks (" + req.getNodeChecksCount() + " > "
                        + CommandValidator.MAX_CHECKS + ")");
            }
            if (req.getNoNodeChecks() && req.getNodeChecksCount() > 0) {
                throw Errors.invalid("conflicting options: node_checks and no_node_checks");
            }
            Optional<List<String>> checks = req.getNoNodeChecks() ? Optional.of(List.of())
                    : req.getNodeChecksCount() == 0 ? Optional.empty() : Optional.of(req.getNodeChecksList());
            SessionBehavior behavior = switch (req.getBehavior()) {
                case SESSION_BEHAVIOR_RELEASE -> SessionBehavior.RELEASE;
                case SESSION_BEHAVIOR_DELETE -> SessionBehavior.DELETE;
                default -> throw Errors.invalid("unknown session behavior " + req.getBehaviorValue()
                        + " (expected RELEASE or DELETE)");
            };
            if (req.getTtlMillis() < 0 || req.getLockDelayMillis() < 0) {
                throw Errors.invalid("ttl_millis and lock_delay_millis must not be negative");
            }
            Duration lockDelay = req.hasLockDelayMillis() ? Duration.ofMillis(req.getLockDelayMillis())
                    : Sessions.DEFAULT_LOCK_DELAY;
            Sessions.Create op = new Sessions.Create(req.getName(), req.getNode(), lockDelay, behavior,
                    Duration.ofMillis(req.getTtlMillis()), checks);
            return b.write(op, r -> SessionCreateResponse.newBuilder().setMeta(Backend.writeMeta(r.meta()))
                    .setId(r.value()).build());
        });
    }

    @Override
    public void destroy(SessionIdRequest req, StreamObserver<SessionDestroyResponse> out) {
        Backend.unary(out, () -> b.write(new Sessions.Destroy(req.getId()), r -> SessionDestroyResponse.newBuilder()
                .setMeta(Backend.writeMeta(r.meta())).setExisted(r.value()).build()));
    }

    @Override
    public void renew(SessionIdRequest req, StreamObserver<SessionRenewResponse> out) {
        Backend.unary(out, () -> b.write(new Sessions.Renew(req.getId()), r -> {
            if (r.value().isEmpty()) {
                throw Errors.notFound("session '" + req.getId() + "' not found");
            }
            return SessionRenewResponse.newBuilder().setMeta(Backend.writeMeta(r.meta()))
                    .setSession(Convert.session(r.value().get())).build();
        }));
    }

    @Override
    public void info(SessionIdRequest req, StreamObserver<SessionInfoResponse> out) {
        Backend.unary(out, () -> b.read(new Sessions.Info(req.getId()), req.getRead(), r -> {
            SessionInfoResponse.Builder resp = SessionInfoResponse.newBuilder().setMeta(Backend.meta(r.meta()))
                    .setFound(r.value().isPresent());
            r.value().ifPresent(s -> resp.setSession(Convert.session(s)));
            return resp.build();
        }));
    }

    @Override
    public void list(SessionListRequest req, StreamObserver<SessionListResponse> out) {
        Backend.unary(out, () -> {
            var op = req.getNode().isEmpty() ? new Sessions.All() : new Sessions.OfNode(req.getNode());
            return b.read(op, req.getRead(), r -> {
                SessionListResponse.Builder resp = SessionListResponse.newBuilder().setMeta(Backend.meta(r.meta()));
                r.value().forEach(s -> resp.addSessions(Convert.session(s)));
                return resp.build();
            });
        });
    }
}
