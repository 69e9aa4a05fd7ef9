package io.tribune.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.tribune.client.TribuneClient;
import io.tribune.client.TribuneException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * ACLs across real processes: a server (127.0.0.21) and a client agent (127.0.0.22), Consul's
 * default ports on their own loopback addresses (apart from ClusterIT's), with
 * {@code default_policy = "deny"}. Through the client agent: anonymous writes get 403, the
 * bootstrap token (made with {@code tribune acl bootstrap}) may do everything, a token of a
 * {@code key_prefix "app/" write} policy (made with the CLI) writes {@code app/x} but not
 * {@code other/x} and lists only {@code app/}; the same through the gRPC API and DNS; with the
 * server killed, the client keeps serving its cached token (extend-cache).
 */
@Timeout(300)
class AclIT {
    static final String SERVER = "127.0.0.21";
    static final String CLIENT = "127.0.0.22";
    static final String AGENT_TOKEN = "acl-it-agent-and-master-token";
    static final Duration LONG = Duration.ofSeconds(90);

    @TempDir
    Path data;

    final List<AgentProcess> agents = new ArrayList<>();

    @AfterEach
    void stopAll() {
        agents.forEach(AgentProcess::close);
    }

    AgentProcess start(String ip, boolean server) throws IOException {
        String name = (server ? "acl-server-" : "acl-client-") + ip.substring(ip.lastIndexOf('.') + 1);
        Path dir = data.resolve(name);
        Files.createDirectories(dir);
        Path cfg = data.resolve(name + ".json");
        // A 1 ms token TTL: every request after the first asks a server again, so the last step
        // shows extend-cache at work; a 2 s hold keeps that step short.
        Files.writeString(cfg, "{\"acl\": {\"enabled\": true, \"default_policy\": \"deny\", \"token_ttl\": \"1ms\","
                + " \"policy_ttl\": \"1ms\", \"tokens\": {\"master\": \"" + AGENT_TOKEN + "\", \"agent\": \""
                + AGENT_TOKEN + "\"}}, \"performance\": {\"rpc_hold_timeout\": \"2s\"}}", StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("agent", "-node", name, "-bind", ip, "-client", ip,
                "-data-dir", dir.toString(), "-retry-join", SERVER, "-retry-interval", "1s", "-config-file",
                cfg.toString(), "-log-level", "info"));
        if (server) {
            args.addAll(List.of("-server", "-bootstrap-expect", "1"));
        }
        AgentProcess p = AgentProcess.startOn(ip, 8500, args);
        agents.add(p);
        return p;
    }

    static String cli(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("-http-addr", CLIENT + ":8500"));
        AgentProcess.Result r = AgentProcess.run(a);
        assertEquals(0, r.exitCode(), a + ":\n" + r.output());
        return r.output();
    }

    static String field(String output, String name) {
        Matcher m = Pattern.compile(name + ":\\s+(\\S+)").matcher(output);
        assertTrue(m.find(), name + " in:\n" + output);
        return m.group(1);
    }

    static List<String> keys(String body) {
        List<String> out = new ArrayList<>();
        JsonArray a = JsonParser.parseString(body).getAsJsonArray();
        for (JsonElement e : a) {
            out.add(e.getAsJsonObject().get("Key").getAsString());
        }
        return out;
    }

    static Message dig(String name) throws IOException {
        SimpleResolver r = new SimpleResolver(InetAddress.getByName(CLIENT));
        r.setPort(8600);
        r.setTimeout(Duration.ofSeconds(10));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN)));
    }

    @Test
    void defaultDenyAcrossHttpGrpcDnsAndAClientWithoutServers() throws Exception {
        AgentProcess server = start(SERVER, true);
        AgentProcess client = start(CLIENT, false);
        client.awaitLeader(LONG);

        HttpResponse<String> anon = client.send("PUT", "/v1/kv/app/x", "v");
        assertEquals(403, anon.statusCode(), anon.body());
        assertEquals("Permission denied", anon.body());

        String root = field(cli("acl", "bootstrap"), "SecretID");
        assertEquals(403, client.send("PUT", "/v1/acl/bootstrap", null).statusCode(), "bootstrap works once");
        assertEquals(200, client.send("PUT", "/v1/kv/other/y?token=" + root, "v").statusCode());
        cli("acl", "policy", "create", "-name", "app", "-rules",
                "key_prefix \"app/\" { policy = \"write\" }\nagent_prefix \"\" { policy = \"read\" }\n"
                        + "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }",
                "-token", root);
        String app = field(cli("acl", "token", "create", "-description", "app", "-policy-name", "app", "-token", root),
                "SecretID");
        assertTrue(cli("acl", "token", "list", "-token", root).contains("app"));

        // HTTP
        assertEquals("true", client.send("PUT", "/v1/kv/app/x?token=" + app, "v").body().trim());
        assertEquals(403, client.send("PUT", "/v1/kv/other/x?token=" + app, "v").statusCode());
        HttpResponse<String> list = client.get("/v1/kv/?recurse&token=" + app);
        assertEquals(200, list.statusCode(), list.body());
        assertEquals(List.of("app/x"), keys(list.body()));
        assertEquals(List.of("app/x", "other/y"), keys(client.get("/v1/kv/?recurse&token=" + root).body()));

        // gRPC, token in the call metadata
        try (TribuneClient g = TribuneClient.builder().target(CLIENT + ":8502").plaintext().token(app).build();
             TribuneClient anonymous = TribuneClient.builder().target(CLIENT + ":8502").plaintext().build()) {
            assertTrue(g.kv().put("app/g", "v".getBytes(StandardCharsets.UTF_8)) > 0);
            assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(TribuneException.class,
                    () -> g.kv().put("other/g", "v".getBytes(StandardCharsets.UTF_8))).code());
            assertEquals(Status.Code.PERMISSION_DENIED, assertThrows(TribuneException.class,
                    () -> anonymous.kv().put("app/h", "v".getBytes(StandardCharsets.UTF_8))).code());
            assertTrue(g.kv().list("").stream().allMatch(e -> e.getKey().startsWith("app/")));
        }

        // DNS: the agent's default token (none: anonymous, which may read nothing)
        assertEquals(Rcode.NXDOMAIN, dig("consul.service.consul.").getRcode());
        cli("acl", "set-agent-token", "default", app, "-token", AGENT_TOKEN);
        Message m = dig("consul.service.consul.");
        assertEquals(Rcode.NOERROR, m.getRcode(), m.toString());
        assertEquals(1, m.getSection(Section.ANSWER).size(), m.toString());

        // Every server gone: the client keeps its cached answer for the app token (extend-cache).
        assertEquals(200, client.get("/v1/agent/self?token=" + app).statusCode());
        server.kill();
        HttpResponse<String> self = client.get("/v1/agent/self?token=" + app);
        assertEquals(200, self.statusCode(), self.body());
        assertEquals(403, client.get("/v1/agent/self?token=never-seen-token").statusCode());
    }
}
