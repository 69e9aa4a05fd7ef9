package io.tribune.grpcapi.internal;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tribune.agent.rpc.AgentException;
import io.tribune.api.grpc.v1.ErrorReason;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Turns failures into gRPC statuses with a {@code google.rpc.ErrorInfo} detail (domain
 * {@value #DOMAIN}, reason an {@link ErrorReason} name), so clients can switch on the reason
 * instead of parsing messages.
 */
public final class Errors {
    /** The ErrorInfo domain of every Tribune error. */
    public static final String DOMAIN = "tribune.io";

    private Errors() {
    }

    /** A status exception with an ErrorInfo detail. */
    public static StatusRuntimeException error(Status.Code code, ErrorReason reason, String message,
                                               Map<String, String> metadata) {
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason.name())
                        .putAllMetadata(metadata).build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /** INVALID_ARGUMENT: the request is malformed or breaks a limit; nothing changed. */
    public static StatusRuntimeException invalid(String message) {
        return error(Status.Code.INVALID_ARGUMENT, ErrorReason.ERROR_REASON_INVALID_REQUEST, message, Map.of());
    }

    /** NOT_FOUND. */
    public static StatusRuntimeException notFound(String message) {
        return error(Status.Code.NOT_FOUND, ErrorReason.ERROR_REASON_NOT_FOUND, message, Map.of());
    }

    /** RESOURCE_EXHAUSTED: a server limit was reached. */
    public static StatusRuntimeException limit(String message) {
        return error(Status.Code.RESOURCE_EXHAUSTED, ErrorReason.ERROR_REASON_LIMIT, message, Map.of());
    }

    /**
     * The status for any failure of a call: status exceptions pass through; the request layer's
     * errors map by kind (the one table of this front end); bad arguments are INVALID_ARGUMENT; the
     * rest is INTERNAL.
     */
    public static StatusRuntimeException toStatus(Throwable t) {
        Throwable c = AgentException.unwrap(t);
        if (c instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (c instanceof StatusException se) {
            return new StatusRuntimeException(se.getStatus(), se.getTrailers());
        }
        if (c instanceof AgentException a) {
            return of(a);
        }
        if (c instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
        }
        if (c instanceof IllegalArgumentException iae) {
            return invalid(String.valueOf(iae.getMessage()));
        }
        return error(Status.Code.INTERNAL, ErrorReason.ERROR_REASON_INTERNAL, "internal error: " + c, Map.of());
    }

    /** The status and reason of each kind of request-layer failure. */
    static StatusRuntimeException of(AgentException a) {
        String m = String.valueOf(a.getMessage());
        return switch (a.kind()) {
            case BAD_REQUEST, TOO_LARGE -> invalid(m);
            case NOT_FOUND -> notFound(m);
            case PERMISSION_DENIED -> error(Status.Code.PERMISSION_DENIED, ErrorReason.ERROR_REASON_PERMISSION_DENIED,
                    m, Map.of());
            case CONFLICT -> error(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_REJECTED, m, Map.of());
            case LIMIT -> limit(m);
            case NO_LEADER -> error(Status.Code.UNAVAILABLE, ErrorReason.ERROR_REASON_NO_LEADER, m, Map.of());
            case NO_PATH_TO_DATACENTER -> error(Status.Code.UNAVAILABLE,
                    ErrorReason.ERROR_REASON_NO_PATH_TO_DATACENTER, m, Map.of());
            case NO_SERVERS, UNAVAILABLE -> error(Status.Code.UNAVAILABLE, ErrorReason.ERROR_REASON_UNAVAILABLE, m,
                    Map.of());
            case OUTCOME_UNKNOWN -> error(Status.Code.UNKNOWN, ErrorReason.ERROR_REASON_OUTCOME_UNKNOWN, m, Map.of());
            case TIMEOUT -> error(Status.Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_TIMEOUT, m, Map.of());
            case UNSUPPORTED -> error(Status.Code.UNIMPLEMENTED, ErrorReason.ERROR_REASON_UNSUPPORTED, m, Map.of());
            case INTERNAL -> error(Status.Code.INTERNAL, ErrorReason.ERROR_REASON_INTERNAL, m, Map.of());
        };
    }
}
