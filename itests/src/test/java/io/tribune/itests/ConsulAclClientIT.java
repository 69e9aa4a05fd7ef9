package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.OperationException;
import com.ecwid.consul.v1.acl.model.Acl;
import com.ecwid.consul.v1.acl.model.AclType;
import com.ecwid.consul.v1.acl.model.NewAcl;
import com.ecwid.consul.v1.kv.model.GetValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compatibility with the real Consul client ({@code com.ecwid.consul:consul-api}) under ACLs: its
 * (legacy) ACL API creates, reads, lists and destroys a client token, and KV calls made with the
 * token are allowed, refused (403) and filtered as Consul would.
 */
@Timeout(120)
class ConsulAclClientIT {
    static final String MASTER = "consul-acl-it-master";

    @TempDir
    Path dir;

    @Test
    void legacyAclApiAndTokenOnKvCalls() throws Exception {
        Path cfg = dir.resolve("acl.json");
        Files.writeString(cfg, "{\"acl\": {\"enabled\": true, \"default_policy\": \"deny\", \"tokens\": {\"master\": \""
                + MASTER + "\", \"agent\": \"" + MASTER + "\"}}}", StandardCharsets.UTF_8);
        int port = AgentProcess.freePort();
        try (AgentProcess p = AgentProcess.start(port, List.of("agent", "-dev", "-node", "consul-acl-it",
                "-grpc-port", "-1", "-dns-port", "-1", "-http-port", Integer.toString(port), "-config-file",
                cfg.toString()))) {
            p.awaitLeader(Duration.ofSeconds(60));
            ConsulClient consul = new ConsulClient("127.0.0.1", port);
            NewAcl n = new NewAcl();
            n.setName("app");
            n.setType(AclType.CLIENT);
            n.setRules("key \"app/\" { policy = \"write\" }");
            String id = consul.aclCreate(n, MASTER).getValue();
            assertTrue(id != null && !id.isEmpty());

            Acl info = consul.getAcl(id).getValue();
            assertEquals("app", info.getName());
            assertEquals(AclType.CLIENT, info.getType());
            assertTrue(consul.getAclList(MASTER).getValue().stream().anyMatch(a -> id.equals(a.getId())));

            assertTrue(consul.setKVValue("app/x", "v", id, null).getValue());
            assertTrue(consul.setKVValue("other/y", "v", MASTER, null).getValue());
            OperationException denied = assertThrows(OperationException.class,
                    () -> consul.setKVValue("other/x", "v", id, null));
            assertEquals(403, denied.getStatusCode());
            List<GetValue> listed = consul.getKVValues("", id).getValue();
            assertEquals(List.of("app/x"), listed.stream().map(GetValue::getKey).toList());

            consul.aclDestroy(id, MASTER);
            assertEquals(403, assertThrows(OperationException.class,
                    () -> consul.setKVValue("app/x", "v", id, null)).getStatusCode());
            assertEquals(0, p.terminate(Duration.ofSeconds(30)), p.output());
        }
    }
}
