package io.tribune.acl;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The rules of one ACL policy, or the merged rules of every policy of a token: for each named
 * {@link Resource}, exact rules and prefix rules by name; and the single levels of {@code keyring},
 * {@code operator} and {@code acl}.
 *
 * <p><b>Matching</b> ({@link #match}): an exact rule for the name wins; otherwise the rule of the
 * longest prefix of the name; otherwise none (the caller's default applies). {@code key_prefix ""}
 * matches every key.
 *
 * <p><b>Merging</b> ({@link #merge}): a token's policies are merged rule by rule; where two
 * policies have a rule for the same resource, kind (exact or prefix) and name, {@link Access#DENY}
 * wins, otherwise the larger grant.
 *
 * <p>Immutable and thread-safe; maps iterate in name order, so {@link #toHcl()} is deterministic.
 * Sizes are bounded by {@link #MAX_RULES} and {@link #MAX_NAME_BYTES}; {@link #parse} also bounds
 * the text ({@link #MAX_TEXT_BYTES}).
 */
public final class Rules {
    /** Most rules (exact and prefix, all resources) in one policy or merged token. */
    public static final int MAX_RULES = 4096;
    /** Longest name of a rule, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 1024;
    /** Longest rules text accepted by {@link #parse}, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 128 * 1024;

    /** No rule at all: every decision is the caller's default. */
    public static final Rules EMPTY = new Builder().build();

    private final Map<Resource, NavigableMap<String, Access>> exact;
    private final Map<Resource, NavigableMap<String, Access>> prefix;
    private final Access keyring;
    private final Access operator;
    private final Access acl;
    private final int size;

    private Rules(Builder b) {
        Map<Resource, NavigableMap<String, Access>> e = new EnumMap<>(Resource.class);
        Map<Resource, NavigableMap<String, Access>> p = new EnumMap<>(Resource.class);
        int n = 0;
        for (Resource r : Resource.values()) {
            e.put(r, Collections.unmodifiableNavigableMap(new TreeMap<>(b.exact.get(r))));
            p.put(r, Collections.unmodifiableNavigableMap(new TreeMap<>(b.prefix.get(r))));
            n += b.exact.get(r).size() + b.prefix.get(r).size();
        }
        this.exact = Collections.unmodifiableMap(e);
        this.prefix = Collections.unmodifiableMap(p);
        this.keyring = b.keyring;
        this.operator = b.operator;
        this.acl = b.acl;
        this.size = n;
    }

    /**
     * Parses rules in Consul's rule language, HCL or JSON (text whose first non-blank character is
     * <code>{</code> is JSON). Blank text is {@link #EMPTY}.
     *
     * @throws RulesException naming the problem: syntax, an unknown rule type, an invalid policy,
     *                        {@code list} on anything but keys, a size limit
     */
    public static Rules parse(String text) {
        return RulesParser.parse(text, false);
    }

    /**
     * Parses rules of the legacy (pre-1.4) syntax, where {@code key "a"} was a prefix rule: every
     * exact rule becomes a prefix rule, as Consul's translation does.
     *
     * @throws RulesException as {@link #parse}
     */
    public static Rules parseLegacy(String text) {
        return RulesParser.parse(text, true);
    }

    /** The exact rules of {@code r}, by name. */
    public NavigableMap<String, Access> exact(Resource r) {
        return exact.get(r);
    }

    /** The prefix rules of {@code r}, by prefix. */
    public NavigableMap<String, Access> prefixes(Resource r) {
        return prefix.get(r);
    }

    /** The {@code keyring} level, if set. */
    public Optional<Access> keyring() {
        return Optional.ofNullable(keyring);
    }

    /** The {@code operator} level, if set. */
    public Optional<Access> operator() {
        return Optional.ofNullable(operator);
    }

    /** The {@code acl} level, if set. */
    public Optional<Access> acl() {
        return Optional.ofNullable(acl);
    }

    /** How many named rules (exact and prefix) there are. */
    public int size() {
        return size;
    }

    /**
     * The level that applies to {@code name} of {@code r}: its exact rule, else the rule of its
     * longest matching prefix, else empty.
     */
    public Optional<Access> match(Resource r, String name) {
        Access a = exact.get(r).get(name);
        if (a != null) {
            return Optional.of(a);
        }
        return longestPrefix(prefix.get(r), name).map(Map.Entry::getValue);
    }

    /**
     * Whether every rule of {@code r} for a name that starts with {@code p} (exact or prefix,
     * {@code p} itself included) grants write: a recursive delete must not remove what a more
     * specific rule protects.
     */
    public boolean allWriteUnder(Resource r, String p) {
        for (NavigableMap<String, Access> m : List.of(exact.get(r), prefix.get(r))) {
            for (Map.Entry<String, Access> e : m.tailMap(p, true).entrySet()) {
                if (!e.getKey().startsWith(p)) {
                    break;
                }
                if (e.getValue() != Access.WRITE) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The longest key of {@code m} that is a prefix of {@code name}. The longest prefix is at most
     * the greatest key not above {@code name}; when that key is no prefix, the answer is a prefix
     * of what the two share, so the search continues from there (at most one step per character).
     */
    static Optional<Map.Entry<String, Access>> longestPrefix(NavigableMap<String, Access> m, String name) {
        if (m.isEmpty()) {
            return Optional.empty();
        }
        String probe = name;
        while (true) {
            Map.Entry<String, Access> e = m.floorEntry(probe);
            if (e == null) {
                return Optional.empty();
            }
            String k = e.getKey();
            if (name.startsWith(k)) {
                return Optional.of(e);
            }
            int common = 0;
            int max = Math.min(k.length(), probe.length());
            while (common < max && k.charAt(common) == probe.charAt(common)) {
                common++;
            }
            probe = probe.substring(0, common);
        }
    }

    /**
     * The merged rules of a token's policies: rule by rule, deny wins, otherwise the larger grant.
     *
     * @throws RulesException when the merged rules exceed {@link #MAX_RULES}
     */
    public static Rules merge(List<Rules> all) {
        if (all.size() == 1) {
            return all.get(0);
        }
        Builder b = new Builder();
        for (Rules r : all) {
            for (Resource res : Resource.values()) {
                r.exact.get(res).forEach((k, v) -> b.exact(res, k, v));
                r.prefix.get(res).forEach((k, v) -> b.prefix(res, k, v));
            }
            r.keyring().ifPresent(b::keyring);
            r.operator().ifPresent(b::operator);
            r.acl().ifPresent(b::acl);
        }
        return b.build();
    }

    /** The rules in HCL, one block per rule in a fixed order (resources, exact before prefix, names sorted). */
    public String toHcl() {
        StringBuilder sb = new StringBuilder();
        for (Resource r : Resource.values()) {
            block(sb, r.word(), exact.get(r));
            block(sb, r.prefixWord(), prefix.get(r));
        }
        if (keyring != null) {
            sb.append("keyring = \"").append(keyring.word()).append("\"\n");
        }
        if (operator != null) {
            sb.append("operator = \"").append(operator.word()).append("\"\n");
        }
        if (acl != null) {
            sb.append("acl = \"").append(acl.word()).append("\"\n");
        }
        return sb.toString();
    }

    private static void block(StringBuilder sb, String word, Map<String, Access> rules) {
        rules.forEach((name, a) -> {
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append(word).append(" \"").append(quote(name)).append("\" {\n  policy = \"").append(a.word())
                    .append("\"\n}\n");
        });
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rules r && exact.equals(r.exact) && prefix.equals(r.prefix) && keyring == r.keyring
                && operator == r.operator && acl == r.acl;
    }

    @Override
    public int hashCode() {
        return Objects.hash(exact, prefix, keyring, operator, acl);
    }

    /** The rules as HCL. */
    @Override
    public String toString() {
        return toHcl();
    }

    /**
     * Builds {@link Rules}; adding a rule for a name that already has one of the same kind keeps
     * the merge of both ({@link Access#merge}). Not thread-safe.
     */
    public static final class Builder {
        private final Map<Resource, TreeMap<String, Access>> exact = new EnumMap<>(Resource.class);
        private final Map<Resource, TreeMap<String, Access>> prefix = new EnumMap<>(Resource.class);
        private Access keyring;
        private Access operator;
        private Access acl;
        private int count;

        /** An empty builder. */
        public Builder() {
            for (Resource r : Resource.values()) {
                exact.put(r, new TreeMap<>());
                prefix.put(r, new TreeMap<>());
            }
        }

        /** Adds an exact rule. @throws RulesException on a bad name or too many rules */
        public Builder exact(Resource r, String name, Access a) {
            put(exact.get(r), r.word(), name, a, r);
            return this;
        }

        /** Adds a prefix rule. @throws RulesException on a bad name or too many rules */
        public Builder prefix(Resource r, String name, Access a) {
            put(prefix.get(r), r.prefixWord(), name, a, r);
            return this;
        }

        private void put(TreeMap<String, Access> m, String word, String name, Access a, Resource r) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(a, "access");
            if (a == Access.LIST && r != Resource.KEY) {
                throw new RulesException(word + " \"" + name + "\": policy \"list\" is only valid for key rules");
            }
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                throw new RulesException(word + " rule name is longer than " + MAX_NAME_BYTES + " bytes");
            }
            Access old = m.get(name);
            if (old == null && ++count > MAX_RULES) {
                throw new RulesException("more than " + MAX_RULES + " rules");
            }
            m.put(name, old == null ? a : Access.merge(old, a));
        }

        /** Sets (merges) the {@code keyring} level. */
        public Builder keyring(Access a) {
            keyring = single("keyring", keyring, a);
            return this;
        }

        /** Sets (merges) the {@code operator} level. */
        public Builder operator(Access a) {
            operator = single("operator", operator, a);
            return this;
        }

        /** Sets (merges) the {@code acl} level. */
        public Builder acl(Access a) {
            acl = single("acl", acl, a);
            return this;
        }

        private static Access single(String word, Access old, Access a) {
            Objects.requireNonNull(a, "access");
            if (a == Access.LIST) {
                throw new RulesException(word + ": policy \"list\" is only valid for key rules");
            }
            return old == null ? a : Access.merge(old, a);
        }

        /** The rules. */
        public Rules build() {
            return new Rules(this);
        }
    }
}
