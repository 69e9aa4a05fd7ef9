package io.tribune.acl;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what one token may do: the merged {@link Rules} of its policies, and a default for what
 * no rule covers (Consul's parent authorizer: {@code acl.default_policy} allow or deny, or
 * management for the master token).
 *
 * <p>Decisions: a named resource is decided by its exact rule, else its longest prefix rule, else
 * the default. {@code list} is granted by a {@code list} or {@code write} rule; a recursive write
 * ({@link #writePrefix}) needs write on the prefix and on every more specific rule under it.
 * ACL management ({@link #aclRead}, {@link #aclWrite}) is never granted by an allow-all default:
 * only by an {@code acl} rule or by management, as in Consul.
 *
 * <p>Immutable and thread-safe; every decision is a pure function of the rules.
 */
public final class Authorizer {
    private static final Authorizer ALLOW_ALL = new Authorizer(Rules.EMPTY, true, false);
    private static final Authorizer DENY_ALL = new Authorizer(Rules.EMPTY, false, false);
    private static final Authorizer MANAGE_ALL = new Authorizer(Rules.EMPTY, true, true);

    private final Rules rules;
    private final boolean defaultAllow;
    private final boolean manage;

    private Authorizer(Rules rules, boolean defaultAllow, boolean manage) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.defaultAllow = defaultAllow;
        this.manage = manage;
    }

    /** Everything but ACL management ({@code default_policy = "allow"}). */
    public static Authorizer allowAll() {
        return ALLOW_ALL;
    }

    /** Nothing ({@code default_policy = "deny"}). */
    public static Authorizer denyAll() {
        return DENY_ALL;
    }

    /** Everything, ACL management included (the master token, and with ACLs disabled). */
    public static Authorizer manageAll() {
        return MANAGE_ALL;
    }

    /** {@link #allowAll()} or {@link #denyAll()} by the name of {@code acl.default_policy}. */
    public static Authorizer ofDefault(boolean allow) {
        return allow ? ALLOW_ALL : DENY_ALL;
    }

    /**
     * The authorizer of a token whose policies have {@code policies}: their merged rules, and
     * {@code parent}'s default (its rules are not consulted: parents are the three fixed
     * authorizers) for what they do not cover.
     *
     * @throws RulesException when the merged rules exceed {@link Rules#MAX_RULES}
     */
    public static Authorizer of(List<Rules> policies, Authorizer parent) {
        Objects.requireNonNull(parent, "parent");
        if (policies.isEmpty()) {
            return parent;
        }
        Rules merged = Rules.merge(policies);
        return new Authorizer(merged, parent.defaultAllow, parent.manage);
    }

    /** The merged rules in force. */
    public Rules rules() {
        return rules;
    }

    /** Whether {@code name} of {@code r} may be read. */
    public boolean read(Resource r, String name) {
        return rules.match(r, name).map(Access::allowsRead).orElse(defaultAllow);
    }

    /** Whether the entries under {@code prefix} of {@code r} may be listed (a {@code list} or {@code write} rule). */
    public boolean list(Resource r, String prefix) {
        return rules.match(r, prefix).map(Access::allowsList).orElse(defaultAllow);
    }

    /** Whether {@code name} of {@code r} may be written. */
    public boolean write(Resource r, String name) {
        return rules.match(r, name).map(Access::allowsWrite).orElse(defaultAllow);
    }

    /**
     * Whether everything under {@code prefix} of {@code r} may be written at once (a recursive
     * delete): write on the prefix itself, and no more specific rule under it that grants less.
     */
    public boolean writePrefix(Resource r, String prefix) {
        if (!write(r, prefix)) {
            return false;
        }
        return rules.allWriteUnder(r, prefix);
    }

    /** Whether the keyring may be read ({@code keyring = "read"}). */
    public boolean keyringRead() {
        return single(rules.keyring(), defaultAllow).allowsRead();
    }

    /** Whether the keyring may be changed. */
    public boolean keyringWrite() {
        return single(rules.keyring(), defaultAllow).allowsWrite();
    }

    /** Whether operator data (Raft configuration, ...) may be read. */
    public boolean operatorRead() {
        return single(rules.operator(), defaultAllow).allowsRead();
    }

    /** Whether operator actions may be taken (remove a Raft peer, restore a snapshot). */
    public boolean operatorWrite() {
        return single(rules.operator(), defaultAllow).allowsWrite();
    }

    /** Whether ACL tokens and policies may be read. */
    public boolean aclRead() {
        return single(rules.acl(), manage).allowsRead();
    }

    /** Whether ACL tokens and policies may be changed (management). */
    public boolean aclWrite() {
        return single(rules.acl(), manage).allowsWrite();
    }

    private static Access single(Optional<Access> a, boolean dflt) {
        return a.orElse(dflt ? Access.WRITE : Access.DENY);
    }

    @Override
    public String toString() {
        return "Authorizer[default " + (manage ? "manage" : defaultAllow ? "allow" : "deny") + ", " + rules.size()
                + " rules]";
    }
}
