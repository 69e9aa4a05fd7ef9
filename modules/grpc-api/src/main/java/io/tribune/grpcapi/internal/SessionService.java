package io.tribune.grpcapi.internal;

import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.SessionBehavior;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.api.grpc.v1.SessionCreateResponse;
import io.tribune.api.grpc.v1.SessionDestroyResponse;
import io.tribune.api.grpc.v1.SessionIdRequest;
import io.tribune.api.grpc.v1.SessionInfoResponse;
import io.tribune.api.grpc.v1.SessionListRequest;
import io.tribune.api.grpc.v1.SessionListResponse;
import io.tribune.api.grpc.v1.SessionRenewResponse;
import io.tribune.api.grpc.v1.SessionsGrpc;
import io.tribune.state.HealthCheck;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.CommandValidator;
import io.tribune.state.Indexed;
import io.tribune.state.Session;
import io.tribune.state.StateStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code tribune.v1.Sessions}: create, destroy and renew through consensus; info and list reads.
 * Defaults follow Consul's HTTP API: the answering agent's node, the {@code serfHealth} check and
 * a 15 s lock-delay.
 */
public final class SessionService extends SessionsGrpc.SessionsImplBase {
    /** Consul's default lock-delay, when the request names none. */
    static final long DEFAULT_LOCK_DELAY_MILLIS = 15_000;

    private final Backend b;

    /** The service over {@code backend}. */
    public SessionService(Backend backend) {
        this.b = backend;
    }

    @Override
    public void create(SessionCreateRequest req, StreamObserver<SessionCreateResponse> out) {
        Backend.unary(out, () -> {
            String node = req.getNode().isEmpty() ? b.agent().config().nodeName()
                    : Backend.name("node name", req.getNode());
            if (req.getNodeChecksCount() > CommandValidator.MAX_CHECKS) {
                throw Errors.invalid("too many session checks (" + req.getNodeChecksCount() + " > "
                        + CommandValidator.MAX_CHECKS + ")");
            }
            List<String> checks = req.getNoNodeChecks() ? List.of()
                    : req.getNodeChecksCount() == 0 ? List.of(HealthCheck.SERF_HEALTH) : req.getNodeChecksList();
            if (req.getNoNodeChecks() && req.getNodeChecksCount() > 0) {
                throw Errors.invalid("conflicting options: node_checks and no_node_checks");
            }
            io.tribune.state.SessionBehavior behavior = switch (req.getBehavior()) {
                case SESSION_BEHAVIOR_RELEASE -> io.tribune.state.SessionBehavior.RELEASE;
                case SESSION_BEHAVIOR_DELETE -> io.tribune.state.SessionBehavior.DELETE;
                default -> throw Errors.invalid("unknown session behavior " + req.getBehaviorValue()
                        + " (expected RELEASE or DELETE)");
            };
            long lockDelay = req.hasLockDelayMillis() ? req.getLockDelayMillis() : DEFAULT_LOCK_DELAY_MILLIS;
            String id = UUID.randomUUID().toString();
            Session s = new Session(id, Backend.optionalName("session name", req.getName()), node, lockDelay,
                    behavior, req.getTtlMillis(), checks, b.wallMillis(), 0, 0);
            return b.writeOk(new Command.SessionCreate(s))
                    .thenApply(w -> SessionCreateResponse.newBuilder().setMeta(w.meta()).setId(id).build());
        });
    }

    @Override
    public void destroy(SessionIdRequest req, StreamObserver<SessionDestroyResponse> out) {
        Backend.unary(out, () -> {
            String id = Backend.sessionId(req.getId());
            return b.write(new Command.SessionDestroy(id, b.wallMillis())).thenApply(w -> {
                if (!(w.result() instanceof CommandResult.Bool existed)) {
                    throw Errors.failed(w.result());
                }
                return SessionDestroyResponse.newBuilder().setMeta(w.meta()).setExisted(existed.value()).build();
            });
        });
    }

    @Override
    public void renew(SessionIdRequest req, StreamObserver<SessionRenewResponse> out) {
        Backend.unary(out, () -> {
            String id = Backend.sessionId(req.getId());
            StateStore state = b.state();
            return b.writeOk(new Command.SessionRenew(id, b.wallMillis())).thenApply(w -> {
                Optional<Session> s = state.session(id).value();
                if (s.isEmpty()) {
                    throw Errors.notFound("session '" + id + "' not found");
                }
                return SessionRenewResponse.newBuilder().setMeta(w.meta()).setSession(Convert.session(s.get())).build();
            });
        });
    }

    @Override
    public void info(SessionIdRequest req, StreamObserver<SessionInfoResponse> out) {
        Backend.unary(out, () -> {
            String id = Backend.sessionId(req.getId());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<Optional<Session>> r = state.session(id);
                SessionInfoResponse.Builder resp = SessionInfoResponse.newBuilder().setMeta(b.meta(r.index()))
                        .setFound(r.value().isPresent());
                r.value().ifPresent(s -> resp.setSession(Convert.session(s)));
                return resp.build();
            });
        });
    }

    @Override
    public void list(SessionListRequest req, StreamObserver<SessionListResponse> out) {
        Backend.unary(out, () -> {
            String node = Backend.optionalName("node name", req.getNode());
            StateStore state = b.state();
            return b.read(req.getRead(), () -> {
                Indexed<List<Session>> r = node.isEmpty() ? state.sessions() : state.nodeSessions(node);
                SessionListResponse.Builder resp = SessionListResponse.newBuilder().setMeta(b.meta(r.index()));
                r.value().forEach(s -> resp.addSessions(Convert.session(s)));
                return resp.build();
            });
        });
    }
}
