package io.tribune.embedded.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tribune.embedded.EmbeddedAgent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Per-method agents: whichever test runs second still finds an empty store. */
@TribuneAgent(lifecycle = TribuneAgent.Lifecycle.PER_METHOD)
class PerMethodTest {

    private static void freshThenWrite(EmbeddedAgent agent) throws IOException {
        assertEquals("404 ", TribuneExtensionTest.get(agent.httpUrl() + "/v1/kv/shared"));
        agent.putKey("shared", "x");
        assertEquals("200 x", TribuneExtensionTest.get(agent.httpUrl() + "/v1/kv/shared?raw"));
    }

    @Test
    void first(EmbeddedAgent agent) throws IOException {
        freshThenWrite(agent);
    }

    @Test
    void second(EmbeddedAgent agent) throws IOException {
        freshThenWrite(agent);
    }
}
