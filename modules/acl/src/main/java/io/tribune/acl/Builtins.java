package io.tribune.acl;

/**
 * The ACL objects every cluster has, with the identifiers Consul 1.4 gives them, so that tools
 * written for Consul find them: the {@code global-management} policy and the anonymous token.
 */
public final class Builtins {
    private Builtins() {
    }

    /** ID of the built-in policy that grants everything. */
    public static final String GLOBAL_MANAGEMENT_ID = "00000000-0000-0000-0000-000000000001";
    /** Name of the built-in policy that grants everything. */
    public static final String GLOBAL_MANAGEMENT_NAME = "global-management";
    /** Description of the built-in management policy. */
    public static final String GLOBAL_MANAGEMENT_DESCRIPTION = "Builtin Policy that grants unlimited access";
    /**
     * Rules of the built-in management policy: write on every resource and on ACLs. (Written out
     * here rather than special-cased so that reading the policy shows what it grants.)
     */
    public static final String GLOBAL_MANAGEMENT_RULES = String.join("\n",
            "acl = \"write\"",
            "agent_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "event_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "key_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "keyring = \"write\"",
            "node_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "operator = \"write\"",
            "query_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "service_prefix \"\" {",
            "  policy = \"write\"",
            "  intentions = \"write\"",
            "}",
            "session_prefix \"\" {",
            "  policy = \"write\"",
            "}",
            "");

    /** AccessorID of the anonymous token (used when a request carries no token). */
    public static final String ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002";
    /** SecretID of the anonymous token. */
    public static final String ANONYMOUS_SECRET_ID = "anonymous";
    /** Description of the anonymous token. */
    public static final String ANONYMOUS_DESCRIPTION = "Anonymous Token";
}
