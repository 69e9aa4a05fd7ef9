package io.tribune.grpcapi.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.regex.Pattern;

/**
 * The datacenter of a write: write requests of the gRPC API carry no options message (reads carry
 * {@code ReadOptions.datacenter}), so a call names another datacenter in its metadata, header
 * {@value #HEADER}, as an HTTP call adds {@code ?dc=}. The request layer then sends it to a server
 * of that datacenter. A value that cannot be a datacenter name (letters, digits, {@code -},
 * {@code _}, at most 64) is refused with {@code INVALID_ARGUMENT} before any service sees the call.
 *
 * <p>Stateless and thread-safe; the value lives in the call's {@link Context}, read with
 * {@link #current()} on the thread that runs the service method.
 */
public final class DatacenterHeader implements ServerInterceptor {
    /** The metadata key naming the datacenter of a call. */
    public static final String HEADER = "tribune-datacenter";
    static final Metadata.Key<String> KEY = Metadata.Key.of(HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> DATACENTER = Context.key(HEADER);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        String dc = headers.get(KEY);
        if (dc == null || dc.isEmpty()) {
            return next.startCall(call, headers);
        }
        if (!NAME.matcher(dc).matches()) {
            call.close(Status.INVALID_ARGUMENT.withDescription("metadata " + HEADER + ": '"
                    + (dc.length() > 64 ? dc.substring(0, 64) + "..." : dc)
                    + "' is not a datacenter name (letters, digits, '-' or '_', at most 64)"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(DATACENTER, dc), call, headers, next);
    }

    /** The datacenter the current call names in its metadata, or "" for the agent's own. */
    public static String current() {
        String dc = DATACENTER.get();
        return dc == null ? "" : dc;
    }
}
