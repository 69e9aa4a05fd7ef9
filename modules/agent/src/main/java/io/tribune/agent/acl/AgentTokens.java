package io.tribune.agent.acl;

import io.tribune.agent.rpc.AgentException;

/**
 * The tokens this agent itself holds: those of the configuration, changed at run time by
 * {@code PUT /v1/agent/token/<kind>} (kept until the agent restarts, as Consul 1.4 does).
 *
 * <p>Thread-safe: each token is a volatile field. Never logged.
 */
public final class AgentTokens {
    private volatile String defaultToken;
    private volatile String agent;
    private volatile String agentMaster;
    private volatile String replication;

    /** The tokens of {@code s}. */
    public AgentTokens(AclSettings s) {
        this.defaultToken = s.defaultToken();
        this.agent = s.agent();
        this.agentMaster = s.agentMaster();
        this.replication = s.replication();
    }

    /** The token of requests that carry none ("" for the anonymous token). */
    public String defaultToken() {
        return defaultToken;
    }

    /** The token of the agent's own requests: {@code agent}, else the default token. */
    public String agentToken() {
        String a = agent;
        return a.isEmpty() ? defaultToken : a;
    }

    /** The agent master token ("" for none). */
    public String agentMaster() {
        return agentMaster;
    }

    /** The replication token ("" for none). */
    public String replication() {
        return replication;
    }

    /**
     * Sets the token of {@code kind} ({@code default}, {@code agent}, {@code agent_master},
     * {@code replication}, or their legacy names {@code acl_token}, ...).
     *
     * @throws AgentException NOT_FOUND for an unknown kind
     */
    public void set(String kind, String token) {
        switch (kind) {
            case "default", "acl_token" -> defaultToken = token;
            case "agent", "acl_agent_token" -> agent = token;
            case "agent_master", "acl_agent_master_token" -> agentMaster = token;
            case "replication", "acl_replication_token" -> replication = token;
            default -> throw new AgentException(AgentException.Kind.NOT_FOUND, "Token \"" + kind + "\" is unknown");
        }
    }
}
