/**
 * Tribune's ACL rules: Consul's rule language in HCL (through the hcl4j parser) and JSON (Gson),
 * policies merged per token, and the authorizer that answers "may this token read/list/write this
 * key, service, node, session, event, query, agent; the keyring, operator data, ACLs". A pure
 * library, used by the agent's request layer; it uses and provides no service.
 */
module io.tribune.acl {
    requires com.google.gson;
    requires hcl4j;

    exports io.tribune.acl;
}
