package io.tribune.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Parsing of the rule language: HCL and JSON give the same rules, bad rules are refused with a reason. */
class RulesTest {

    private static final String HCL = String.join("\n",
            "# a comment",
            "key \"app/config\" {",
            "  policy = \"read\"",
            "}",
            "key_prefix \"app/\" {",
            "  policy = \"write\"",
            "}",
            "key_prefix \"logs/\" { policy = \"list\" }",
            "service_prefix \"\" {",
            "  policy = \"read\"",
            "  intentions = \"read\"",
            "}",
            "service \"web\" { policy = \"write\" }",
            "node_prefix \"\" { policy = \"read\" }",
            "session \"n1\" { policy = \"write\" }",
            "event_prefix \"\" { policy = \"deny\" }",
            "query \"q\" { policy = \"read\" }",
            "agent_prefix \"n\" { policy = \"read\" }",
            "keyring = \"read\"",
            "operator = \"write\"",
            "acl = \"read\"");

    private static final String JSON = "{"
            + "\"key\": {\"app/config\": {\"policy\": \"read\"}},"
            + "\"key_prefix\": {\"app/\": {\"policy\": \"write\"}, \"logs/\": {\"policy\": \"list\"}},"
            + "\"service_prefix\": {\"\": {\"policy\": \"read\", \"intentions\": \"read\"}},"
            + "\"service\": {\"web\": {\"policy\": \"write\"}},"
            + "\"node_prefix\": {\"\": {\"policy\": \"read\"}},"
            + "\"session\": {\"n1\": {\"policy\": \"write\"}},"
            + "\"event_prefix\": {\"\": {\"policy\": \"deny\"}},"
            + "\"query\": {\"q\": {\"policy\": \"read\"}},"
            + "\"agent_prefix\": {\"n\": {\"policy\": \"read\"}},"
            + "\"keyring\": \"read\", \"operator\": \"write\", \"acl\": \"read\"}";

    private static Rules expected() {
        return new Rules.Builder()
                .exact(Resource.KEY, "app/config", Access.READ)
                .prefix(Resource.KEY, "app/", Access.WRITE)
                .prefix(Resource.KEY, "logs/", Access.LIST)
                .prefix(Resource.SERVICE, "", Access.READ)
                .exact(Resource.SERVICE, "web", Access.WRITE)
                .prefix(Resource.NODE, "", Access.READ)
                .exact(Resource.SESSION, "n1", Access.WRITE)
                .prefix(Resource.EVENT, "", Access.DENY)
                .exact(Resource.QUERY, "q", Access.READ)
                .prefix(Resource.AGENT, "n", Access.READ)
                .keyring(Access.READ).operator(Access.WRITE).acl(Access.READ)
                .build();
    }

    @Test
    void hclAndJsonGiveTheSameRules() {
        assertEquals(expected(), Rules.parse(HCL));
        assertEquals(expected(), Rules.parse(JSON));
        assertEquals(10, Rules.parse(HCL).size());
    }

    @Test
    void printedHclParsesBackToTheSameRules() {
        Rules r = Rules.parse(HCL);
        assertEquals(r, Rules.parse(r.toHcl()));
        Rules odd = new Rules.Builder().exact(Resource.KEY, "a \"quoted\" name", Access.READ).build();
        assertEquals(odd, Rules.parse(odd.toHcl()));
    }

    @Test
    void blankRulesAreEmpty() {
        assertEquals(Rules.EMPTY, Rules.parse(""));
        assertEquals(Rules.EMPTY, Rules.parse("  \n"));
        assertEquals(Rules.EMPTY, Rules.parse(null));
    }

    @Test
    void legacyRulesArePrefixRules() {
        Rules r = Rules.parseLegacy("key \"foo/\" { policy = \"write\" }\nservice \"\" { policy = \"read\" }");
        assertEquals(new Rules.Builder().prefix(Resource.KEY, "foo/", Access.WRITE)
                .prefix(Resource.SERVICE, "", Access.READ).build(), r);
        assertTrue(r.toHcl().contains("key_prefix \"foo/\" {\n  policy = \"write\"\n}"), r.toHcl());
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("key \"a\" { policy = \"admin\" }", "invalid policy"),
                Arguments.of("service \"a\" { policy = \"list\" }", "only valid for key"),
                Arguments.of("operator = \"list\"", "only valid for key"),
                Arguments.of("kv \"a\" { policy = \"read\" }", "unknown ACL rule type"),
                Arguments.of("key \"a\" { }", "has no policy"),
                Arguments.of("key \"a\" {\n  policy = \"read\"\n  color = \"red\"\n}", "unknown field"),
                Arguments.of("key \"a\" {\n  intentions = \"read\"\n  policy = \"read\"\n}", "intentions apply only"),
                // hcl4j reads a truncated block leniently; the structural check refuses it first
                Arguments.of("key \"a\" { policy = ", "line 1, column 9: '{' is never closed"),
                Arguments.of("key \"a\" {\n  policy = \"write\"\n", "'{' is never closed"),
                Arguments.of("key \"a\" { policy = \"read\" }\n}", "line 2, column 1: '}' closes nothing"),
                Arguments.of("key \"a\" { policy = \"read\" color = \"red\" }", "failed to parse"),
                Arguments.of("{\"key\": {\"a\": {\"policy\": 1}}}", "unexpected value"),
                Arguments.of("{\"key\": ", "failed to parse"),
                Arguments.of("[1]", "unexpected value"),
                Arguments.of("key = \"write\"", "must be blocks"),
                Arguments.of("x".repeat(Rules.MAX_TEXT_BYTES + 1), "longer than"),
                Arguments.of("this is not a rule", "failed to parse"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("bad")
    void badRulesAreRefusedWithAReason(String text, String reason) {
        RulesException e = assertThrows(RulesException.class, () -> Rules.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void ruleCountIsBounded() {
        Rules.Builder b = new Rules.Builder();
        for (int i = 0; i < Rules.MAX_RULES; i++) {
            b.prefix(Resource.KEY, "k" + i, Access.READ);
        }
        // a repeated name merges and does not count twice
        b.prefix(Resource.KEY, "k0", Access.WRITE);
        RulesException e = assertThrows(RulesException.class, () -> b.prefix(Resource.KEY, "more", Access.READ));
        assertTrue(e.getMessage().contains("more than"));
    }
}
