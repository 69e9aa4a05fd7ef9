package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.AgentException;
import io.tribune.api.transport.CallContext;
import io.tribune.api.transport.Transport;
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
 * <p>Other plugins may register their own methods on the same transport (the raft plugin does);
 * they are theirs to check.
 */
public final class RpcServer {
    private final Router router;
    private final Transport transport;
    private final boolean verifyIncoming;

    /**
     * @param verifyIncoming refuse calls without a verified peer identity (Consul's {@code verify_incoming})
     */
    public RpcServer(Router router, Transport transport, boolean verifyIncoming) {
        this.router = Objects.requireNonNull(router, "router");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.verifyIncoming = verifyIncoming;
    }

    /** Registers one handler per operation that travels between agents. Call once, on a server. */
    public void start() {
        for (String method : methods()) {
            transport.register(method, this::serve);
        }
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
        CompletableFuture<byte[]> out;
        try {
            out = router.serve(e).handle((r, t) -> t == null ? Wire.encodeReply(e.op(), r)
                    : Wire.encodeError(AgentException.unwrap(t)));
        } catch (RuntimeException ex) {
            out = CompletableFuture.completedFuture(Wire.encodeError(ex));
        }
        return out;
    }
}
