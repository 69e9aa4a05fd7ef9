package io.tribune.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consul's TLS keys become the transport's TLS settings, or clear errors. */
class ConfigLoaderTlsTest {

    static AgentConfig load(String json) {
        return new ConfigLoader().add(JsonParser.parseString(json).getAsJsonObject(), "test").build();
    }

    @Test
    void tlsKeysBecomeTransportSettingsWithTheServerName(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
        Path key = Files.writeString(dir.resolve("key.pem"), "x");
        AgentConfig c = load("{\"dev\": true, \"datacenter\": \"east\", \"domain\": \"example\", \"ca_file\": \"" + ca
                + "\", \"cert_file\": \"" + cert + "\", \"key_file\": \"" + key + "\", \"verify_incoming\": true,"
                + " \"verify_outgoing\": true, \"verify_server_hostname\": true}");
        var tls = c.tls().orElseThrow();
        assertEquals(ca, tls.caFile());
        assertTrue(tls.verifyIncoming() && tls.verifyOutgoing() && tls.verifyServerHostname());
        assertEquals("server.east.example", tls.serverName());
        assertTrue(load("{\"dev\": true}").tls().isEmpty());
    }

    @Test
    void incompleteOrUnreadableTlsSettingsAreErrors(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        var partial = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"ca_file\": \"" + ca + "\"}"));
        assertTrue(partial.getMessage().contains("together"), partial.getMessage());
        var missing = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"ca_file\": \"" + ca
                + "\", \"cert_file\": \"/nonexistent/cert.pem\", \"key_file\": \"" + ca + "\"}"));
        assertTrue(missing.getMessage().contains("cert_file"), missing.getMessage());
        var verifyOnly = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"verify_incoming\": true}"));
        assertTrue(verifyOnly.getMessage().contains("ca_file"), verifyOnly.getMessage());
        var hostname = assertThrows(ConfigException.class, () -> load("{\"dev\": true, \"ca_file\": \"" + ca
                + "\", \"cert_file\": \"" + ca + "\", \"key_file\": \"" + ca + "\", \"verify_server_hostname\": true}"));
        assertTrue(hostname.getMessage().contains("verify_outgoing"), hostname.getMessage());
    }
}
