package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * An ACL policy (Consul 1.4's {@code /v1/acl/policy} object). The rules are kept as written; the
 * server checks their syntax before proposing.
 *
 * @param id          the policy's UUID ({@code ID})
 * @param name        unique name ({@code Name})
 * @param description free text ({@code Description})
 * @param rules       the rule text, HCL or JSON ({@code Rules})
 * @param datacenters datacenters where it applies, empty for all ({@code Datacenters}); immutable
 * @param hash        a digest of the content, base64 ({@code Hash}), set by the proposer
 * @param createIndex index that created it ({@code CreateIndex}); set by apply
 * @param modifyIndex index that last changed it ({@code ModifyIndex}); set by apply
 */
public record AclPolicy(String id, String name, String description, String rules, List<String> datacenters,
                        String hash, long createIndex, long modifyIndex) {
    /** Replaces null texts with "" and copies the list. */
    public AclPolicy {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        rules = rules == null ? "" : rules;
        datacenters = datacenters == null ? List.of() : List.copyOf(datacenters);
        hash = hash == null ? "" : hash;
    }

    /** This policy with the indexes of a write at {@code create}/{@code modify}. */
    public AclPolicy withIndexes(long create, long modify) {
        return new AclPolicy(id, name, description, rules, datacenters, hash, create, modify);
    }
}
