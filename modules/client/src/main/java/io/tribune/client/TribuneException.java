package io.tribune.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tribune.api.grpc.v1.ErrorReason;
import java.util.Map;

/**
 * A failed call: the gRPC status code, the server's message, and the reason and metadata of the
 * {@code google.rpc.ErrorInfo} detail the server attaches (e.g. reason
 * {@link ErrorReason#ERROR_REASON_NO_LEADER} with metadata {@code leader}).
 */
public final class TribuneException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Status.Code code;
    private final ErrorReason reason;
    private final transient Map<String, String> metadata;

    private TribuneException(Status.Code code, String message, ErrorReason reason, Map<String, String> metadata,
                             Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
        this.reason = reason;
        this.metadata = Map.copyOf(metadata);
    }

    /** Wraps any failure of a call; a {@code TribuneException} is returned as is. */
    public static TribuneException of(Throwable t) {
        if (t instanceof TribuneException te) {
            return te;
        }
        Status status = Status.fromThrowable(t);
        ErrorReason reason = ErrorReason.ERROR_REASON_UNSPECIFIED;
        Map<String, String> metadata = Map.of();
        com.google.rpc.Status rich = t instanceof StatusRuntimeException ? StatusProto.fromThrowable(t) : null;
        if (rich != null) {
            for (Any d : rich.getDetailsList()) {
                if (d.is(ErrorInfo.class)) {
                    try {
                        ErrorInfo info = d.unpack(ErrorInfo.class);
                        try {
                            reason = ErrorReason.valueOf(info.getReason());
                        } catch (IllegalArgumentException unknown) {
                            // A newer server's reason: keep UNSPECIFIED, the code still applies.
                            reason = ErrorReason.ERROR_REASON_UNSPECIFIED;
                        }
                        metadata = info.getMetadataMap();
                    } catch (InvalidProtocolBufferException e) {
                        // A malformed detail is ignored; the status code and message remain.
                    }
                }
            }
        }
        String msg = status.getDescription() != null ? status.getDescription()
                : status.getCause() != null ? String.valueOf(status.getCause()) : "";
        return new TribuneException(status.getCode(), msg, reason, metadata, t);
    }

    /** The gRPC status code. */
    public Status.Code code() {
        return code;
    }

    /** The server's reason, or {@link ErrorReason#ERROR_REASON_UNSPECIFIED} when it sent none. */
    public ErrorReason reason() {
        return reason;
    }

    /** The reason's metadata (e.g. {@code leader}); empty when none. */
    public Map<String, String> metadata() {
        return metadata;
    }
}
