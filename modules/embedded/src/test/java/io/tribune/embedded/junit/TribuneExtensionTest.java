package io.tribune.embedded.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.embedded.EmbeddedAgent;
import io.tribune.embedded.TribuneAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** A class-level agent with keys and services from the annotation, a method's own agent, and @Nested tests. */
@TribuneAgent(nodeName = "ext-class", keys = {"a/b=c", "empty="}, services = {"web:8080", "db"})
class TribuneExtensionTest {
    static EmbeddedAgent classAgent;
    static volatile InetSocketAddress methodAgentHttp;

    @BeforeAll
    static void keep(EmbeddedAgent agent) {
        classAgent = agent;
    }

    @AfterAll
    static void methodAgentWasClosed() throws IOException {
        if (methodAgentHttp != null) {
            // its port is free again: the extension closed the method's agent after the test
            try (ServerSocket s = new ServerSocket()) {
                s.bind(methodAgentHttp);
            }
        }
    }

    static String get(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            int code = c.getResponseCode();
            InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream();
            return code + " " + (in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            c.disconnect();
        }
    }

    @Test
    void keysAndServicesOfTheAnnotationAreThere(TribuneAddresses consul) throws IOException {
        assertEquals("200 c", get(consul.httpUrl() + "/v1/kv/a/b?raw"));
        assertEquals("200 ", get(consul.httpUrl() + "/v1/kv/empty?raw"));
        String services = get(consul.httpUrl() + "/v1/agent/services");
        assertTrue(services.contains("\"web\"") && services.contains("\"db\"") && services.contains("8080"), services);
    }

    @Test
    void oneAgentServesTheClass(EmbeddedAgent agent, TribuneAddresses addresses) {
        assertSame(classAgent, agent);
        assertEquals(agent.addresses(), addresses);
        assertEquals("ext-class", agent.nodeName());
    }

    @Test
    @TribuneAgent(nodeName = "own", datacenter = "dc9")
    void aMethodsAnnotationGivesItsOwnAgent(EmbeddedAgent agent) throws IOException {
        assertNotSame(classAgent, agent);
        assertEquals("own", agent.nodeName());
        assertEquals("dc9", agent.datacenter());
        assertTrue(get(agent.httpUrl() + "/v1/kv/a/b").startsWith("404"));
        methodAgentHttp = agent.httpAddress();
    }

    @Nested
    class Inner {
        @Test
        void seesTheEnclosingClassesAgent(EmbeddedAgent agent) {
            assertSame(classAgent, agent);
        }
    }

    @TribuneAgent(keys = "no-equals-sign")
    static class BadKeys {
    }

    @TribuneAgent(services = "web:port")
    static class BadService {
    }

    @TribuneAgent(config = "[]")
    static class BadConfig {
    }

    @Test
    void badAnnotationsFailWithTheirReason() {
        ExtensionConfigurationException e = assertThrows(ExtensionConfigurationException.class,
                () -> TribuneExtension.start(BadKeys.class.getAnnotation(TribuneAgent.class)));
        assertTrue(e.getMessage().contains("no-equals-sign"), e.getMessage());
        e = assertThrows(ExtensionConfigurationException.class,
                () -> TribuneExtension.start(BadService.class.getAnnotation(TribuneAgent.class)));
        assertTrue(e.getMessage().contains("web:port"), e.getMessage());
        e = assertThrows(ExtensionConfigurationException.class,
                () -> TribuneExtension.start(BadConfig.class.getAnnotation(TribuneAgent.class)));
        assertTrue(e.getMessage().contains("JSON object"), e.getMessage());
    }
}
