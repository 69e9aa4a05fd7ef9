package io.tribune.agent.acl;

import io.tribune.acl.Authorizer;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.internal.AccessControl;
import io.tribune.state.StateStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * The ACL system in the request layer: resolves the request's token ({@link AclResolver}), checks
 * the operation and filters its answer ({@link AclEnforcer}). With ACLs disabled it admits
 * everything without looking at the token. Thread-safe.
 */
public final class AclAccessControl implements AccessControl {
    private static final CompletableFuture<UnaryOperator<Object>> OPEN =
            CompletableFuture.completedFuture(AccessControl.UNFILTERED);

    private final AclResolver resolver;
    private final Optional<StateStore> state;
    private final String localNode;

    /**
     * @param state     the server's state (lookups of a session's node), empty on a client agent
     * @param localNode this agent's node name
     */
    public AclAccessControl(AclResolver resolver, Optional<StateStore> state, String localNode) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.state = Objects.requireNonNull(state, "state");
        this.localNode = Objects.requireNonNull(localNode, "localNode");
    }

    @Override
    public CompletableFuture<UnaryOperator<Object>> admit(Op<?> op, Options options, String originNode) {
        if (!resolver.enabled() || AclEnforcer.exempt(op)) {
            return OPEN;
        }
        CompletableFuture<Authorizer> resolved = resolver.resolve(options.token());
        if (resolved.isDone() && !resolved.isCompletedExceptionally()) {
            // The common case (a server, or a cached token): decide on this thread, no extra stage.
            Authorizer a = resolved.join();
            try {
                AclEnforcer.check(op, a, state, localNode, originNode);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(filterFor(op, a));
        }
        return resolved.thenApply(a -> {
            AclEnforcer.check(op, a, state, localNode, originNode);
            return filterFor(op, a);
        });
    }

    @Override
    public String defaultToken() {
        return resolver.defaultToken();
    }

    private static UnaryOperator<Object> filterFor(Op<?> op, Authorizer a) {
        if (!AclEnforcer.filters(op)) {
            return AccessControl.UNFILTERED;
        }
        boolean mayWriteAcl = a.aclWrite();
        return v -> AclEnforcer.filter(op, v, a, mayWriteAcl);
    }
}
