package io.tribune.state.internal;

import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;

/**
 * The ACL part of one state version: policies by ID with a name index, tokens by AccessorID with a
 * secret index, and the index of the ACL bootstrap (0: never bootstrapped). Immutable; the name
 * and secret indexes are derived, kept in step by {@link AclOps} and rebuilt on restore.
 */
public final class AclTables {
    static final AclTables EMPTY = new AclTables(PersistentMap.empty(), PersistentMap.empty(), PersistentMap.empty(),
            PersistentMap.empty(), 0);

    /** Policies by ID. */
    public final PersistentMap<String, AclPolicy> policies;
    /** Policy ID by name. */
    public final PersistentMap<String, String> policyNames;
    /** Tokens by AccessorID. */
    public final PersistentMap<String, AclToken> tokens;
    /** AccessorID by SecretID. */
    public final PersistentMap<String, String> secrets;
    /** The index of the ACL bootstrap, 0 when there was none. */
    public final long bootstrapIndex;

    AclTables(PersistentMap<String, AclPolicy> policies, PersistentMap<String, String> policyNames,
              PersistentMap<String, AclToken> tokens, PersistentMap<String, String> secrets, long bootstrapIndex) {
        this.policies = policies;
        this.policyNames = policyNames;
        this.tokens = tokens;
        this.secrets = secrets;
        this.bootstrapIndex = bootstrapIndex;
    }

    /** Whether nothing ACL-related was ever stored (the snapshot then has no ACL section). */
    public boolean isEmpty() {
        return policies.isEmpty() && tokens.isEmpty() && bootstrapIndex == 0;
    }

    AclTables withPolicy(AclPolicy p) {
        AclPolicy old = policies.get(p.id());
        PersistentMap<String, String> names = policyNames;
        if (old != null) {
            names = names.remove(old.name());
        }
        return new AclTables(policies.put(p.id(), p), names.put(p.name(), p.id()), tokens, secrets, bootstrapIndex);
    }

    AclTables withoutPolicy(String id) {
        AclPolicy old = policies.get(id);
        if (old == null) {
            return this;
        }
        return new AclTables(policies.remove(id), policyNames.remove(old.name()), tokens, secrets, bootstrapIndex);
    }

    AclTables withToken(AclToken t) {
        AclToken old = tokens.get(t.accessorId());
        PersistentMap<String, String> s = secrets;
        if (old != null) {
            s = s.remove(old.secretId());
        }
        return new AclTables(policies, policyNames, tokens.put(t.accessorId(), t), s.put(t.secretId(), t.accessorId()),
                bootstrapIndex);
    }

    AclTables withoutToken(String accessorId) {
        AclToken old = tokens.get(accessorId);
        if (old == null) {
            return this;
        }
        return new AclTables(policies, policyNames, tokens.remove(accessorId), secrets.remove(old.secretId()),
                bootstrapIndex);
    }

    AclTables withBootstrapIndex(long index) {
        return new AclTables(policies, policyNames, tokens, secrets, index);
    }
}
