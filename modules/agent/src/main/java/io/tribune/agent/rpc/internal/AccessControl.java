package io.tribune.agent.rpc.internal;

import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * Authorization in the request layer (the ACL system plugs in here): the {@link Router} asks it
 * once per operation where the operation is decided, on the agent that runs it: a server for
 * state operations (whether the request came from a front end of that server or from another
 * agent), the receiving agent for its own agent operations. A client agent forwards state
 * operations unchecked, with their token, to a server that checks them.
 *
 * <p>Thread-safe; must not block.
 */
public interface AccessControl {
    /** The filter of answers that need no cutting: the router then passes them on as they are. */
    UnaryOperator<Object> UNFILTERED = v -> v;

    /**
     * Admits {@code op} for the caller of {@code options} (its token), or fails with
     * {@link io.tribune.agent.rpc.AgentException.Kind#PERMISSION_DENIED}. The future's value cuts
     * the operation's answer to what the caller may read (identity for most operations).
     *
     * @param originNode the agent where the request entered
     */
    CompletableFuture<UnaryOperator<Object>> admit(Op<?> op, Options options, String originNode);

    /**
     * The token of a request that enters this agent without one (Consul's {@code acl.tokens.default}
     * of the agent that received it: so DNS, and any caller without a token, acts with this agent's
     * default token wherever the request is decided); "" for the anonymous token.
     */
    default String defaultToken() {
        return "";
    }
}
