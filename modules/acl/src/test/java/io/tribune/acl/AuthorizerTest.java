package io.tribune.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Table tests of decisions: exact beats prefix, longest prefix wins, deny wins, list vs read, defaults. */
class AuthorizerTest {

    private static final String RULES = String.join("\n",
            "key_prefix \"\" { policy = \"read\" }",
            "key_prefix \"app/\" { policy = \"write\" }",
            "key_prefix \"app/secret/\" { policy = \"deny\" }",
            "key \"app/secret/open\" { policy = \"read\" }",
            "key_prefix \"logs/\" { policy = \"list\" }",
            "key \"exact\" { policy = \"write\" }",
            "service_prefix \"web\" { policy = \"write\" }",
            "service \"web-admin\" { policy = \"read\" }",
            "node_prefix \"\" { policy = \"read\" }",
            "session_prefix \"n1\" { policy = \"write\" }",
            "event_prefix \"deploy\" { policy = \"write\" }",
            "query_prefix \"q\" { policy = \"read\" }",
            "agent \"n1\" { policy = \"write\" }",
            "operator = \"read\"",
            "keyring = \"deny\"");

    enum Op { READ, LIST, WRITE, WRITE_PREFIX }

    static Stream<Arguments> table() {
        return Stream.of(
                // resource, name, op, default deny expected, default allow expected
                Arguments.of(Resource.KEY, "anything", Op.READ, true, true),
                Arguments.of(Resource.KEY, "anything", Op.WRITE, false, false),
                Arguments.of(Resource.KEY, "anything", Op.LIST, false, false),
                Arguments.of(Resource.KEY, "app/x", Op.WRITE, true, true),
                Arguments.of(Resource.KEY, "app/x", Op.LIST, true, true),
                Arguments.of(Resource.KEY, "app", Op.WRITE, false, false),
                // longest prefix wins
                Arguments.of(Resource.KEY, "app/secret/x", Op.READ, false, false),
                Arguments.of(Resource.KEY, "app/secret/x", Op.WRITE, false, false),
                // exact beats prefix
                Arguments.of(Resource.KEY, "app/secret/open", Op.READ, true, true),
                Arguments.of(Resource.KEY, "app/secret/open", Op.WRITE, false, false),
                Arguments.of(Resource.KEY, "exact", Op.WRITE, true, true),
                // an exact rule is not a prefix rule
                Arguments.of(Resource.KEY, "exactly", Op.WRITE, false, false),
                // list vs read
                Arguments.of(Resource.KEY, "logs/a", Op.LIST, true, true),
                Arguments.of(Resource.KEY, "logs/a", Op.READ, true, true),
                Arguments.of(Resource.KEY, "logs/a", Op.WRITE, false, false),
                Arguments.of(Resource.KEY, "other/", Op.LIST, false, false),
                // a recursive write needs write below too
                Arguments.of(Resource.KEY, "app/", Op.WRITE_PREFIX, false, false),
                Arguments.of(Resource.KEY, "app/public/", Op.WRITE_PREFIX, true, true),
                Arguments.of(Resource.KEY, "", Op.WRITE_PREFIX, false, false),
                Arguments.of(Resource.SERVICE, "web", Op.WRITE, true, true),
                Arguments.of(Resource.SERVICE, "web-api", Op.WRITE, true, true),
                Arguments.of(Resource.SERVICE, "web-admin", Op.WRITE, false, false),
                Arguments.of(Resource.SERVICE, "web-admin", Op.READ, true, true),
                Arguments.of(Resource.SERVICE, "db", Op.READ, false, true),
                Arguments.of(Resource.NODE, "any", Op.READ, true, true),
                Arguments.of(Resource.NODE, "any", Op.WRITE, false, false),
                Arguments.of(Resource.SESSION, "n1-a", Op.WRITE, true, true),
                Arguments.of(Resource.SESSION, "n2", Op.WRITE, false, true),
                Arguments.of(Resource.EVENT, "deploy-1", Op.WRITE, true, true),
                Arguments.of(Resource.EVENT, "other", Op.READ, false, true),
                Arguments.of(Resource.QUERY, "q1", Op.READ, true, true),
                Arguments.of(Resource.QUERY, "q1", Op.WRITE, false, false),
                Arguments.of(Resource.AGENT, "n1", Op.WRITE, true, true),
                Arguments.of(Resource.AGENT, "n11", Op.WRITE, false, true));
    }

    private static boolean decide(Authorizer a, Resource r, String name, Op op) {
        return switch (op) {
            case READ -> a.read(r, name);
            case LIST -> a.list(r, name);
            case WRITE -> a.write(r, name);
            case WRITE_PREFIX -> a.writePrefix(r, name);
        };
    }

    @ParameterizedTest(name = "{0} {1} {2}: deny-default {3}, allow-default {4}")
    @MethodSource("table")
    void decisions(Resource r, String name, Op op, boolean underDeny, boolean underAllow) {
        Rules rules = Rules.parse(RULES);
        assertEquals(underDeny, decide(Authorizer.of(List.of(rules), Authorizer.denyAll()), r, name, op), "deny default");
        assertEquals(underAllow, decide(Authorizer.of(List.of(rules), Authorizer.allowAll()), r, name, op),
                "allow default");
    }

    @Test
    void singleLevelsAndAclManagement() {
        Authorizer a = Authorizer.of(List.of(Rules.parse(RULES)), Authorizer.allowAll());
        assertTrue(a.operatorRead());
        assertFalse(a.operatorWrite());
        assertFalse(a.keyringRead());
        assertFalse(a.keyringWrite());
        // an allow-all default never grants ACL management; management does
        assertFalse(a.aclRead());
        assertFalse(Authorizer.allowAll().aclWrite());
        assertTrue(Authorizer.manageAll().aclWrite());
        assertTrue(Authorizer.allowAll().operatorWrite());
        assertFalse(Authorizer.denyAll().operatorRead());
        assertFalse(Authorizer.denyAll().read(Resource.KEY, "x"));
        Authorizer mgmt = Authorizer.of(List.of(Rules.parse(Builtins.GLOBAL_MANAGEMENT_RULES)), Authorizer.denyAll());
        assertTrue(mgmt.aclWrite());
        assertTrue(mgmt.writePrefix(Resource.KEY, ""));
        assertTrue(mgmt.keyringWrite());
        assertTrue(mgmt.write(Resource.SERVICE, "any"));
    }

    @Test
    void denyWinsWhenPoliciesOfATokenAreMerged() {
        Rules writer = Rules.parse("key_prefix \"app/\" { policy = \"write\" }\noperator = \"write\"");
        Rules denier = Rules.parse("key_prefix \"app/\" { policy = \"deny\" }\noperator = \"deny\"");
        Rules reader = Rules.parse("key_prefix \"app/\" { policy = \"read\" }");
        Authorizer both = Authorizer.of(List.of(writer, denier), Authorizer.allowAll());
        assertFalse(both.read(Resource.KEY, "app/x"));
        assertFalse(both.operatorRead());
        // without a deny, the larger grant wins, whatever the order
        assertTrue(Authorizer.of(List.of(reader, writer), Authorizer.denyAll()).write(Resource.KEY, "app/x"));
        assertTrue(Authorizer.of(List.of(writer, reader), Authorizer.denyAll()).write(Resource.KEY, "app/x"));
        // merged rules of different names keep both
        Rules other = Rules.parse("key_prefix \"other/\" { policy = \"write\" }");
        Authorizer two = Authorizer.of(List.of(writer, other), Authorizer.denyAll());
        assertTrue(two.write(Resource.KEY, "other/a"));
        assertTrue(two.write(Resource.KEY, "app/a"));
        assertFalse(two.write(Resource.KEY, "third/a"));
    }

    @Test
    void longestPrefixSearchFindsShorterPrefixPastNonPrefixNeighbours() {
        Rules r = new Rules.Builder().prefix(Resource.KEY, "a", Access.READ).prefix(Resource.KEY, "ab", Access.WRITE)
                .prefix(Resource.KEY, "abz", Access.DENY).prefix(Resource.KEY, "b", Access.DENY).build();
        assertEquals(Access.WRITE, r.match(Resource.KEY, "abc").orElseThrow());
        assertEquals(Access.DENY, r.match(Resource.KEY, "abzz").orElseThrow());
        assertEquals(Access.READ, r.match(Resource.KEY, "aa").orElseThrow());
        assertEquals(Access.READ, r.match(Resource.KEY, "a").orElseThrow());
        assertTrue(r.match(Resource.KEY, "c").isEmpty());
        assertTrue(r.match(Resource.KEY, "").isEmpty());
    }
}
