package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.api.Cancellable;
import io.tribune.api.Scheduler;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Transport;
import io.tribune.api.transport.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What a server answers on its RPC port: exactly the request layer's operations that travel between
 * agents ({@link Wire#methods()}: {@code Kv.Get}, {@code Catalog.Register}, ...), each decoded with
 * the schema, checked, and handed to the {@link Router} as a request from another agent. Nothing
 * else of the agent is reachable there: no agent operation (its services, checks, keyring, leave),
 * no HTTP route. Client agents run no RpcServer.
 *
 * <p><b>Checks on every call.</b> With {@code verify_incoming}, a call whose transport reports no
 * verified peer identity (a client certificate signed by the cluster's CA) is refused before it is
 * decoded, in addition to whatever the transport itself enforces. A malformed call, one whose
 * operation is not the method's, or an agent operation is answered with a {@code BAD_REQUEST} error
 * and changes nothing. Answers are always a reply message: errors never surface as transport
 * failures, so the caller can tell "the server refused" from "the server could not be reached".
 *
 * <p><b>Start.</b> The agent registers the handlers before its transport listens and attaches the
 * request layer once it is built; a call in between waits for it briefly, then is answered
 * {@code NO_HANDLER} (never a definite error), so a client moves on to another server.
 *
 * <p>Other plugins may register their own methods on the same transport (the raft plugin does);
 * they are theirs to check.
 */
public final class RpcServer implements AutoCloseable {
    /**
     * How long a call that arrives before the request layer is attached waits for it: 2 s, far more
     * than a server's start takes between opening its port and building its request layer (unless a
     * {@code start_join} is slow), and well inside the caller's deadline, so that the caller still has
     * time to try another server when this one answers {@code NO_HANDLER}.
     */
    public static final Duration STARTING_WAIT = Duration.ofSeconds(2);

    private final CompletableFuture<Router> router = new CompletableFuture<>();
    private final Transport transport;
    private final boolean verifyIncoming;
    private final Scheduler scheduler;

    /**
     * A server attached to its router at once.
     *
     * @param verifyIncoming refuse calls without a verified peer identity (Consul's {@code verify_incoming})
     */
    public RpcServer(Router router, Transport transport, boolean verifyIncoming) {
        this(transport, verifyIncoming, null);
        attach(router);
    }

    /**
     * A server whose router is {@linkplain #attach attached} later, so that its handlers can be
     * registered before the transport listens: a call that arrives in between waits up to
     * {@link #STARTING_WAIT} for the router (on {@code scheduler}'s time), then is answered
     * {@code NO_HANDLER}, which the caller's router treats as "not delivered, try another server".
     *
     * @param verifyIncoming refuse calls without a verified peer identity (Consul's {@code verify_incoming})
     */
    public RpcServer(Transport transport, boolean verifyIncoming, Scheduler scheduler) {
        this.transport = Objects.requireNonNull(transport, "transport");
        this.verifyIncoming = verifyIncoming;
        this.scheduler = scheduler;
    }

    /**
     * Registers one handler per operation that travels between agents. Call once, on a server,
     * before the transport is started.
     */
    public void start() {
        for (String method : methods()) {
            transport.register(method, this::serve);
        }
    }

    /** Hands over the request layer; calls waiting for it proceed. Call once. */
    public void attach(Router r) {
        router.complete(Objects.requireNonNull(r, "router"));
    }

    /** Answers calls still waiting for the request layer (a start that failed) with {@code NO_HANDLER}. Idempotent. */
    @Override
    public void close() {
        router.completeExceptionally(starting("the server is shutting down"));
    }

    private static TransportException starting(String why) {
        return TransportException.undelivered(TransportException.Code.NO_HANDLER, why
                + "; its request layer is not serving");
    }

    /** The RPC methods a server answers. */
    public static List<String> methods() {
        return Wire.methods();
    }

    private CompletableFuture<byte[]> serve(CallContext ctx, byte[] request) {
        if (verifyIncoming && ctx.peerIdentity().isEmpty()) {
            return CompletableFuture.completedFuture(Wire.encodeError(new AgentException(
                    AgentException.Kind.PERMISSION_DENIED, "verify_incoming is on and the caller presented no "
                    + "certificate of the cluster's certificate authority")));
        }
        Envelope e;
        try {
            e = Wire.decodeCall(ctx.method(), request);
        } catch (RuntimeException ex) {
            return CompletableFuture.completedFuture(Wire.encodeError(ex));
        }
        Router ready = router.getNow(null);
        if (ready != null) {
            return serve(ready, e);
        }
        if (router.isCompletedExceptionally() || scheduler == null) {
            return CompletableFuture.failedFuture(starting("the server is not ready"));
        }
        CompletableFuture<Router> waited = new CompletableFuture<>();
        Cancellable timer = scheduler.schedule(STARTING_WAIT, () -> waited.completeExceptionally(
                starting("the server is still starting")));
        router.whenComplete((r, t) -> {
            timer.cancel();
            if (t != null) {
                waited.completeExceptionally(t);
            } else {
                waited.complete(r);
            }
        });
        return waited.thenCompose(r -> serve(r, e));
    }

    private static CompletableFuture<byte[]> serve(Router r, Envelope e) {
        CompletableFuture<byte[]> out;
        try {
            out = r.serve(e).handle((resp, t) -> t == null ? Wire.encodeReply(e.op(), resp)
                    : Wire.encodeError(AgentException.unwrap(t)));
        } catch (RuntimeException ex) {
            out = CompletableFuture.completedFuture(Wire.encodeError(ex));
        }
        return out;
    }
}
