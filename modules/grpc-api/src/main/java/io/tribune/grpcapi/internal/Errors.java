package io.tribune.grpcapi.internal;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tribune.api.consensus.ConsensusException;
import io.tribune.api.consensus.NotLeaderException;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.state.CommandResult;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

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

    /** Maps a {@link CommandResult.Failed} (or any unexpected result) to its status. */
    public static StatusRuntimeException failed(CommandResult r) {
        if (r instanceof CommandResult.Failed f) {
            return switch (f.kind()) {
                case INVALID -> invalid(f.message());
                case NOT_FOUND -> notFound(f.message());
                case REJECTED -> error(Status.Code.FAILED_PRECONDITION, ErrorReason.ERROR_REASON_REJECTED,
                        f.message(), Map.of());
                case INTERNAL -> error(Status.Code.INTERNAL, ErrorReason.ERROR_REASON_INTERNAL, f.message(), Map.of());
            };
        }
        return error(Status.Code.INTERNAL, ErrorReason.ERROR_REASON_INTERNAL, "unexpected result " + r, Map.of());
    }

    /**
     * The status for any failure of a call: status exceptions pass through; consensus failures
     * become UNAVAILABLE (no leader, with the leader hint) or DEADLINE_EXCEEDED (timeout); the
     * rest is INTERNAL.
     */
    public static StatusRuntimeException toStatus(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (c instanceof StatusException se) {
            return new StatusRuntimeException(se.getStatus(), se.getTrailers());
        }
        if (c instanceof NotLeaderException nl) {
            return error(Status.Code.UNAVAILABLE, ErrorReason.ERROR_REASON_NO_LEADER, "no cluster leader: "
                    + nl.getMessage(), nl.leader().map(l -> Map.of("leader", l.id(), "leader_address",
                    l.endpoint().toString())).orElse(Map.of()));
        }
        if (c instanceof TimeoutException) {
            return error(Status.Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_TIMEOUT,
                    "timed out waiting for the cluster; a write may still commit", Map.of());
        }
        if (c instanceof ConsensusException ce) {
            String m = String.valueOf(ce.getMessage());
            boolean timeout = m.toLowerCase(java.util.Locale.ROOT).contains("timed out")
                    || m.toLowerCase(java.util.Locale.ROOT).contains("timeout");
            return timeout
                    ? error(Status.Code.DEADLINE_EXCEEDED, ErrorReason.ERROR_REASON_TIMEOUT, m, Map.of())
                    : error(Status.Code.UNAVAILABLE, ErrorReason.ERROR_REASON_NO_LEADER, m, Map.of());
        }
        if (c instanceof io.tribune.agent.http.HttpError he) {
            // From request forwarding: no leader after holding, no server known, or a remote failure.
            Status.Code code = he.status() == 400 ? Status.Code.INVALID_ARGUMENT
                    : he.status() == 404 ? Status.Code.NOT_FOUND : Status.Code.UNAVAILABLE;
            return error(code, code == Status.Code.UNAVAILABLE ? ErrorReason.ERROR_REASON_NO_LEADER
                    : code == Status.Code.NOT_FOUND ? ErrorReason.ERROR_REASON_NOT_FOUND
                    : ErrorReason.ERROR_REASON_INVALID_REQUEST, he.getMessage(), Map.of());
        }
        if (c instanceof CancellationException) {
            return Status.CANCELLED.withDescription("cancelled").asRuntimeException();
        }
        if (c instanceof IllegalArgumentException iae) {
            return invalid(String.valueOf(iae.getMessage()));
        }
        return error(Status.Code.INTERNAL, ErrorReason.ERROR_REASON_INTERNAL, "internal error: " + c, Map.of());
    }
}
