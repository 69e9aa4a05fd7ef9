package io.tribune.grpcapi.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Takes a call's ACL token from its metadata ({@code x-consul-token}, else
 * {@code authorization: Bearer <token>}) into the call's context, where {@link Backend} puts it on
 * every operation of the call (a read's own {@code ReadOptions.token} wins when set). The request
 * layer then authorizes it like any other front end's request; a refusal is {@code PERMISSION_DENIED}.
 *
 * <p>Stateless and thread-safe; the token is never logged.
 */
public final class CallToken implements ServerInterceptor {
    /** The metadata key of the token, as Consul's HTTP header. */
    public static final Metadata.Key<String> HEADER = Metadata.Key.of("x-consul-token",
            Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN = Context.key("tribune-acl-token");

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        String token = headers.get(HEADER);
        if (token == null) {
            String auth = headers.get(AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                token = auth.substring(7).strip();
            }
        }
        if (token == null || token.isEmpty()) {
            return next.startCall(call, headers);
        }
        return Contexts.interceptCall(Context.current().withValue(TOKEN, token), call, headers, next);
    }

    /** The token of the call being served on this thread, "" for none. */
    public static String current() {
        String t = TOKEN.get();
        return t == null ? "" : t;
    }
}
