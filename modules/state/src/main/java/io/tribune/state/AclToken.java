package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * An ACL token (Consul 1.4's {@code /v1/acl/token} object). A token made through the legacy API
 * ({@code /v1/acl/create}) keeps its type and rules instead of policy links.
 *
 * @param accessorId       public identifier, a UUID ({@code AccessorID})
 * @param secretId         the secret a request presents, a UUID or chosen by the operator ({@code SecretID})
 * @param description      free text ({@code Description})
 * @param policyIds        the IDs of its policies ({@code Policies}, names are looked up at read); immutable
 * @param local            whether it stays in its datacenter (never replicated; {@code Local})
 * @param createTimeMillis the proposer's wall time at creation ({@code CreateTime})
 * @param hash             a digest of the content, base64 ({@code Hash}), set by the proposer
 * @param legacyType       "" for a token of the 1.4 API; {@code client} or {@code management} for a legacy one
 * @param legacyRules      a legacy client token's rules (legacy syntax), else ""
 * @param createIndex      index that created it; set by apply
 * @param modifyIndex      index that last changed it; set by apply
 */
public record AclToken(String accessorId, String secretId, String description, List<String> policyIds, boolean local,
                       long createTimeMillis, String hash, String legacyType, String legacyRules, long createIndex,
                       long modifyIndex) {
    /** Replaces null texts with "" and copies the list. */
    public AclToken {
        Objects.requireNonNull(accessorId, "accessorId");
        Objects.requireNonNull(secretId, "secretId");
        description = description == null ? "" : description;
        policyIds = policyIds == null ? List.of() : List.copyOf(policyIds);
        hash = hash == null ? "" : hash;
        legacyType = legacyType == null ? "" : legacyType;
        legacyRules = legacyRules == null ? "" : legacyRules;
    }

    /** Whether it was made through the legacy API. */
    public boolean legacy() {
        return !legacyType.isEmpty();
    }

    /** This token with the indexes and creation time of a write. */
    public AclToken withIndexes(long createTime, long create, long modify) {
        return new AclToken(accessorId, secretId, description, policyIds, local, createTime, hash, legacyType,
                legacyRules, create, modify);
    }

    /** The token without its secret (for logs and for callers who may read but not see secrets). */
    @Override
    public String toString() {
        return "AclToken[accessorId=" + accessorId + ", description=" + description + ", policies=" + policyIds
                + ", local=" + local + ", legacyType=" + legacyType + ", createIndex=" + createIndex
                + ", modifyIndex=" + modifyIndex + "]";
    }
}
