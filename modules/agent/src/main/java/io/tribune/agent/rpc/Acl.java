package io.tribune.agent.rpc;

import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The ACL system's operations (Consul 1.4's {@code ACL.*} endpoints): the one-time bootstrap,
 * policies, tokens, the legacy token API, the resolution of a token by servers for client agents,
 * and two agent operations (rules translation, the agent's own tokens).
 *
 * <p>Who may run each is decided by the request layer like for every other operation (ACL reads
 * need {@code acl = "read"}, changes {@code acl = "write"}; {@link Bootstrap}, {@link TokenSelf} and
 * {@link Resolve} need no permission: the first is allowed once, the other two concern the caller's
 * own token). Answers carry secrets only to callers allowed to change ACLs.
 */
public final class Acl {
    private Acl() {
    }

    /** Longest ID, secret, name or type accepted, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 256;
    /** Longest description accepted, in UTF-8 bytes. */
    public static final int MAX_DESCRIPTION_BYTES = 8 * 1024;
    /** Longest rules text accepted, in UTF-8 bytes. */
    public static final int MAX_RULES_BYTES = 128 * 1024;
    /** Most links (policies of a token, datacenters of a policy). */
    public static final int MAX_LINKS = 256;

    /** Every ACL operation. */
    public sealed interface AclOp<R> extends Op<R> permits Bootstrap, PolicyWrite, PolicyDelete, PolicyRead,
            PolicyList, TokenWrite, TokenClone, TokenDelete, TokenRead, TokenSelf, TokenList, LegacyWrite,
            LegacyDestroy, LegacyInfo, LegacyClone, Resolve, ReplicationStatus, TranslateRules, SetAgentToken {
    }

    /** A policy as a token links it: by ID, with its name when known. */
    public record PolicyLink(String id, String name) {
        public PolicyLink {
            id = id == null ? "" : id;
            name = name == null ? "" : name;
            bounded("policy ID", id, MAX_ID_BYTES);
            bounded("policy name", name, MAX_ID_BYTES);
            if (id.isEmpty() && name.isEmpty()) {
                throw AgentException.badRequest("a policy link needs an ID or a name");
            }
        }
    }

    /**
     * A token with its policies' names (for {@code Policies: [{ID, Name}]}). The secret is ""
     * when the caller may not see it.
     */
    public record TokenInfo(AclToken token, List<PolicyLink> policies) {
        public TokenInfo {
            Objects.requireNonNull(token, "token");
            policies = List.copyOf(policies);
        }
    }

    /**
     * What a token is, as a server resolved it for a client agent.
     *
     * @param found      whether the secret names a token (false: Consul's "ACL not found")
     * @param accessorId the token's AccessorID
     * @param management whether it grants everything (the master token, a legacy management token)
     * @param rules      the rules of its policies, one text per policy (legacy rules already translated)
     */
    public record Identity(boolean found, String accessorId, boolean management, List<String> rules) {
        public Identity {
            Objects.requireNonNull(accessorId, "accessorId");
            rules = List.copyOf(rules);
        }
    }

    /** {@code PUT /v1/acl/bootstrap}: creates the first management token, once (see the reset procedure). */
    public record Bootstrap() implements AclOp<TokenInfo>, Op.Write<TokenInfo> {
    }

    /**
     * {@code PUT /v1/acl/policy} (create, {@code id} empty) or {@code PUT /v1/acl/policy/<id>} (update).
     * The rules are checked by the server before anything is written.
     */
    public record PolicyWrite(String id, String name, String description, String rules, List<String> datacenters)
            implements AclOp<AclPolicy>, Op.Write<AclPolicy> {
        public PolicyWrite {
            id = id == null ? "" : id;
            name = name == null ? "" : name;
            description = description == null ? "" : description;
            rules = rules == null ? "" : rules;
            datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
            bounded("policy ID", id, MAX_ID_BYTES);
            bounded("policy name", name, MAX_ID_BYTES);
            bounded("description", description, MAX_DESCRIPTION_BYTES);
            bounded("rules", rules, MAX_RULES_BYTES);
            if (datacenters.size() > MAX_LINKS) {
                throw AgentException.badRequest("more than " + MAX_LINKS + " datacenters");
            }
            datacenters.forEach(d -> bounded("datacenter", d, MAX_ID_BYTES));
        }
    }

    /** {@code DELETE /v1/acl/policy/<id>}. */
    public record PolicyDelete(String id) implements AclOp<Boolean>, Op.Write<Boolean> {
        public PolicyDelete {
            requireId(id);
        }
    }

    /** {@code GET /v1/acl/policy/<id>}. */
    public record PolicyRead(String id) implements AclOp<Optional<AclPolicy>>, Op.Read<Optional<AclPolicy>> {
        public PolicyRead {
            requireId(id);
        }
    }

    /** {@code GET /v1/acl/policies}. */
    public record PolicyList() implements AclOp<List<AclPolicy>>, Op.Read<List<AclPolicy>> {
    }

    /**
     * {@code PUT /v1/acl/token} (create: {@code accessorId} empty, a chosen {@code secretId} allowed)
     * or {@code PUT /v1/acl/token/<accessor>} (update). Policies are linked by ID or name.
     */
    public record TokenWrite(String accessorId, String secretId, String description, List<PolicyLink> policies,
                             boolean local) implements AclOp<TokenInfo>, Op.Write<TokenInfo> {
        public TokenWrite {
            accessorId = accessorId == null ? "" : accessorId;
            secretId = secretId == null ? "" : secretId;
            description = description == null ? "" : description;
            policies = policies == null ? List.of() : List.copyOf(policies);
            bounded("AccessorID", accessorId, MAX_ID_BYTES);
            bounded("SecretID", secretId, MAX_ID_BYTES);
            bounded("description", description, MAX_DESCRIPTION_BYTES);
            if (policies.size() > MAX_LINKS) {
                throw AgentException.badRequest("more than " + MAX_LINKS + " policies");
            }
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "TokenWrite[accessorId=" + accessorId + ", description=" + description + ", policies=" + policies
                    + ", local=" + local + "]";
        }
    }

    /** {@code PUT /v1/acl/token/<accessor>/clone}: a new token with the same policies. */
    public record TokenClone(String accessorId, String description) implements AclOp<TokenInfo>, Op.Write<TokenInfo> {
        public TokenClone {
            requireId(accessorId);
            description = description == null ? "" : description;
            bounded("description", description, MAX_DESCRIPTION_BYTES);
        }
    }

    /** {@code DELETE /v1/acl/token/<accessor>}. */
    public record TokenDelete(String accessorId) implements AclOp<Boolean>, Op.Write<Boolean> {
        public TokenDelete {
            requireId(accessorId);
        }
    }

    /** {@code GET /v1/acl/token/<accessor>}. */
    public record TokenRead(String accessorId) implements AclOp<Optional<TokenInfo>>, Op.Read<Optional<TokenInfo>> {
        public TokenRead {
            requireId(accessorId);
        }
    }

    /**
     * {@code GET /v1/acl/token/self}: the token whose secret the caller presents ({@code secretId},
     * the request's own token; "" for the default token).
     */
    public record TokenSelf(String secretId) implements AclOp<Optional<TokenInfo>>, Op.Read<Optional<TokenInfo>> {
        public TokenSelf {
            secretId = secretId == null ? "" : secretId;
            bounded("token", secretId, Options.MAX_TOKEN_BYTES);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "TokenSelf[secretId=<hidden>]";
        }
    }

    /** {@code GET /v1/acl/tokens}. */
    public record TokenList() implements AclOp<List<TokenInfo>>, Op.Read<List<TokenInfo>> {
    }

    /**
     * The legacy {@code PUT /v1/acl/create} ({@code secretId} empty, or a chosen one that does not
     * exist yet) and {@code PUT /v1/acl/update} (an existing secret): a token of {@code type}
     * {@code client} or {@code management} with legacy rules. Answers the secret.
     */
    public record LegacyWrite(String secretId, String name, String type, String rules, boolean update)
            implements AclOp<String>, Op.Write<String> {
        public LegacyWrite {
            secretId = secretId == null ? "" : secretId;
            name = name == null ? "" : name;
            type = type == null || type.isEmpty() ? "client" : type;
            rules = rules == null ? "" : rules;
            bounded("ID", secretId, MAX_ID_BYTES);
            bounded("Name", name, MAX_DESCRIPTION_BYTES);
            bounded("rules", rules, MAX_RULES_BYTES);
            if (!type.equals("client") && !type.equals("management")) {
                throw AgentException.badRequest("Invalid ACL Type \"" + Fields.abbreviate(type) + "\"");
            }
            if (update && secretId.isEmpty()) {
                throw AgentException.badRequest("Must specify ID for updates");
            }
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "LegacyWrite[name=" + name + ", type=" + type + ", update=" + update + "]";
        }
    }

    /** The legacy {@code PUT /v1/acl/destroy/<secret>}. */
    public record LegacyDestroy(String secretId) implements AclOp<Boolean>, Op.Write<Boolean> {
        public LegacyDestroy {
            requireId(secretId);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "LegacyDestroy[<hidden>]";
        }
    }

    /** The legacy {@code GET /v1/acl/info/<secret>}. */
    public record LegacyInfo(String secretId) implements AclOp<Optional<TokenInfo>>, Op.Read<Optional<TokenInfo>> {
        public LegacyInfo {
            requireId(secretId);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "LegacyInfo[<hidden>]";
        }
    }

    /** The legacy {@code PUT /v1/acl/clone/<secret>}: answers the new secret. */
    public record LegacyClone(String secretId) implements AclOp<String>, Op.Write<String> {
        public LegacyClone {
            requireId(secretId);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "LegacyClone[<hidden>]";
        }
    }

    /** How a server sees a token (client agents resolve their callers' tokens with it). */
    public record Resolve(String secretId) implements AclOp<Identity>, Op.Read<Identity> {
        public Resolve {
            secretId = secretId == null ? "" : secretId;
            bounded("token", secretId, Options.MAX_TOKEN_BYTES);
        }

        /** Without the secret. */
        @Override
        public String toString() {
            return "Resolve[secretId=<hidden>]";
        }
    }

    /**
     * The state of ACL replication in a datacenter, as its leader sees it (Consul's
     * {@code /v1/acl/replication}).
     *
     * @param enabled              whether this datacenter replicates (ACLs on, a primary datacenter
     *                             configured and not this one)
     * @param running              whether the leader's replicator runs now
     * @param sourceDatacenter     the primary datacenter ("" when none is configured)
     * @param replicationType      {@code policies}, or {@code tokens} when global tokens are replicated too
     * @param replicatedIndex      the primary's policy index last copied in full (0: none yet)
     * @param replicatedTokenIndex the primary's token index last copied in full (0: none yet)
     * @param lastSuccessMillis    wall time of the last round that succeeded, epoch milliseconds (0: never)
     * @param lastErrorMillis      wall time of the last failed round, epoch milliseconds (0: never)
     * @param lastErrorMessage     what failed then ("" when nothing failed)
     */
    public record Replication(boolean enabled, boolean running, String sourceDatacenter, String replicationType,
                              long replicatedIndex, long replicatedTokenIndex, long lastSuccessMillis,
                              long lastErrorMillis, String lastErrorMessage) {
        public Replication {
            Objects.requireNonNull(sourceDatacenter, "sourceDatacenter");
            Objects.requireNonNull(replicationType, "replicationType");
            Objects.requireNonNull(lastErrorMessage, "lastErrorMessage");
        }
    }

    /**
     * {@code GET /v1/acl/replication}: answered by the leader of the datacenter asked (a follower
     * sends it there), needs no token (it shows no secret), and works with ACLs off (then
     * {@link Replication#enabled()} is false).
     */
    public record ReplicationStatus() implements AclOp<Replication>, Op.Read<Replication> {
    }

    /** {@code POST /v1/acl/rules/translate}: legacy rules in the 1.4 syntax. Runs on the agent. */
    public record TranslateRules(String rules) implements AclOp<String>, Op.LocalOp<String> {
        public TranslateRules {
            rules = rules == null ? "" : rules;
            bounded("rules", rules, MAX_RULES_BYTES);
        }
    }

    /**
     * {@code PUT /v1/agent/token/<kind>}: sets one of the agent's tokens until it restarts; kinds
     * {@code default}, {@code agent}, {@code agent_master}, {@code replication} (and the legacy
     * {@code acl_token}, {@code acl_agent_token}, {@code acl_agent_master_token},
     * {@code acl_replication_token}).
     */
    public record SetAgentToken(String kind, String token) implements AclOp<Boolean>, Op.LocalOp<Boolean> {
        public SetAgentToken {
            Objects.requireNonNull(kind, "kind");
            token = token == null ? "" : token;
            bounded("token", token, Options.MAX_TOKEN_BYTES);
            if (!List.of("default", "agent", "agent_master", "replication", "acl_token", "acl_agent_token",
                    "acl_agent_master_token", "acl_replication_token").contains(kind)) {
                throw new AgentException(AgentException.Kind.NOT_FOUND, "Token \"" + Fields.abbreviate(kind)
                        + "\" is unknown");
            }
        }

        /** Without the token. */
        @Override
        public String toString() {
            return "SetAgentToken[kind=" + kind + ", token=<hidden>]";
        }
    }

    private static void requireId(String id) {
        if (id == null || id.isEmpty()) {
            throw AgentException.badRequest("Missing ID");
        }
        bounded("ID", id, MAX_ID_BYTES);
    }

    private static void bounded(String what, String s, int max) {
        Objects.requireNonNull(s, what);
        if (s.length() > max || s.getBytes(StandardCharsets.UTF_8).length > max) {
            throw AgentException.badRequest(what + " is longer than " + max + " bytes");
        }
    }
}
