package io.tribune.agent.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Consul's lenient JSON reading of definitions and bodies, and the bounds of check output. */
class JsonInTest {

    static JsonIn body(String json, boolean allowEmpty) {
        return JsonIn.body(json.getBytes(StandardCharsets.UTF_8), allowEmpty);
    }

    @Test
    void jsonFieldsMatchWithoutCaseAndWrongTypesNameTheField() {
        JsonIn in = body("{\"name\": \"web\", \"PORT\": 80, \"Service\": {\"Weights\": {\"Passing\": "
                + "\"x\"}}, \"Tags\": null}", false);
        assertEquals("web", in.string("Name", ""));
        assertEquals(80L, in.integer("Port", 0, 65535).orElseThrow());
        assertTrue(in.strings("Tags").isEmpty(), "null counts as absent");
        AgentException e = assertThrows(AgentException.class,
                () -> CheckDefinitions.weights(in.object("Service").orElseThrow()));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("Service.Weights.Passing"), e.getMessage());
        assertThrows(AgentException.class, () -> in.string("Port"));
        assertThrows(AgentException.class, () -> body("[]", false));
        assertThrows(AgentException.class, () -> body("", false));
        assertThrows(AgentException.class, () -> body("{", false));
        assertEquals(0, body("", true).stringMap("Meta").size());
        AgentException range = assertThrows(AgentException.class,
                () -> body("{\"Port\": 1.5}", false).integer("Port", 0, 65535));
        assertTrue(range.getMessage().contains("Port"), range.getMessage());
    }

    @Test
    void durationsAcceptGoStringsAndNanosecondNumbers() {
        JsonIn in = body("{\"A\": \"1m30s\", \"B\": 2000000000, \"C\": \"-1s\", \"D\": \"soon\"}", false);
        assertEquals(Duration.ofSeconds(90), in.duration("A").orElseThrow());
        assertEquals(Duration.ofSeconds(2), in.duration("B").orElseThrow());
        assertThrows(AgentException.class, () -> in.duration("C"));
        assertThrows(AgentException.class, () -> in.duration("D"));
    }

    @Test
    void checkOutputIsTruncatedToFourKibWithoutSplittingCharacters() {
        assertEquals("short", LocalState.truncate("short"));
        String cut = LocalState.truncate("é".repeat(3000));
        assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= LocalState.MAX_OUTPUT_BYTES);
        assertEquals(2048, cut.length());
    }
}
