package io.tribune.itests;

import static io.tribune.itests.AgentGroup.aliveMembers;
import static io.tribune.itests.AgentGroup.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.ReadOptions;
import io.tribune.client.TribuneClient;
import io.tribune.client.Watch;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One datacenter for real: three servers (RocksDB, gRPC transport, SWIM gossip, Raft) and two
 * clients as separate OS processes on 127.0.0.2-6, each with Consul's default ports, formed with
 * -bootstrap-expect and -retry-join. Writes through one client, reads through the other; the
 * gRPC API answers through a client agent and through a follower in every consistency mode, client
 * agents open no RPC port; the leader is killed with SIGKILL and every acknowledged write survives; a killed client turns
 * critical in the catalog; all servers restart from disk.
 */
@Timeout(900)
class ClusterIT {
    static final List<String> SERVERS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    static final List<String> CLIENTS = List.of("127.0.0.5", "127.0.0.6");
    static final Duration LONG = Duration.ofSeconds(90);

    @AutoClose
    final AgentGroup agents = new AgentGroup();

    /** Starts a server (of three) or a client agent on {@code ip}, with no -datacenter, joining the first server. */
    AgentProcess start(String ip, boolean server) throws IOException {
        List<String> extra = new ArrayList<>(List.of("-retry-join", SERVERS.get(0)));
        if (server) {
            extra.addAll(List.of("-bootstrap-expect", "3"));
        }
        return agents.start(ip, null, server, extra);
    }

    static String leaderOf(AgentProcess a) {
        try {
            HttpResponse<String> r = a.get("/v1/status/leader");
            return r.statusCode() == 200 ? JsonParser.parseString(r.body()).getAsString() : "";
        } catch (Exception e) {
            return "";
        }
    }

    static boolean ok(AgentProcess a, String method, String path, String body) {
        try {
            HttpResponse<String> r = a.send(method, path, body);
            return r.statusCode() == 200 && (body == null || r.body().trim().equals("true"));
        } catch (Exception e) {
            return false;
        }
    }

    static String raw(AgentProcess a, String key) {
        return read(a, key, "?raw");
    }

    static String rawStale(AgentProcess a, String key) {
        return read(a, key, "?raw&stale");
    }

    static String read(AgentProcess a, String key, String query) {
        try {
            HttpResponse<String> r = a.get("/v1/kv/" + key + query);
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    static void assertRefused(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 2000);
            throw new AssertionError(ip + ":" + port + " accepted a connection");
        } catch (ConnectException expected) {
            // nothing listens there
        } catch (IOException e) {
            throw new AssertionError(ip + ":" + port + ": " + e, e);
        }
    }

    /** Whether an HTTP/1.1 request to ip:port gets no HTTP answer (the port speaks gRPC only). */
    static boolean notHttp(String ip, int port) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/v1/kv/acked/7?raw"))
                            .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() != 200 && !"v7".equals(r.body());
        } catch (IOException e) {
            return true; // no HTTP/1.1 answer at all
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Through the gRPC API of the agent on {@code host}, with consistency {@code c}: a write, a read of
     * it and of older keys, a prefix listing, and a watch that sees a change written through
     * {@code writer}'s HTTP API.
     */
    static void grpcRoundTrip(AgentProcess writer, String host, Consistency c) throws Exception {
        String where = host + " " + c;
        try (TribuneClient g = TribuneClient.builder().target(host + ":8502").plaintext().consistency(c)
                .deadline(Duration.ofSeconds(30)).build()) {
            String key = "grpc/" + host + "/" + c.name();
            long written = g.kv().put(key, "1".getBytes(StandardCharsets.UTF_8));
            assertTrue(written > 0, where);
            // A stale read on a follower may lag the commit by a heartbeat.
            assertTrue(writer.waitFor(LONG, () -> g.kv().get(key).map(e -> e.getValue().toStringUtf8()).orElse("")
                    .equals("1")), where);
            assertEquals("v7", g.kv().get("acked/7").orElseThrow().getValue().toStringUtf8(), where);
            assertEquals(20, g.kv().list("acked/").size(), where);
            KvWatchRequest req = KvWatchRequest.newBuilder().setKey(key)
                    .setRead(ReadOptions.newBuilder().setConsistency(c)).build();
            try (Watch<KvWatchEvent> w = g.kv().watch(req)) {
                KvWatchEvent first = w.poll(LONG).orElseThrow(() -> new AssertionError("no first message " + where));
                assertEquals("1", first.getEntries(0).getValue().toStringUtf8(), where);
                assertTrue(ok(writer, "PUT", "/v1/kv/" + key, "2"), where);
                KvWatchEvent next = w.poll(LONG).orElseThrow(() -> new AssertionError("no change seen " + where));
                assertEquals("2", next.getEntries(0).getValue().toStringUtf8(), where);
                assertTrue(next.getIndex() > first.getIndex(), where);
            }
        }
    }

    @Test
    void oneDatacenterSurvivesLeaderAndClientLoss() throws Exception {
        for (String ip : SERVERS) {
            start(ip, true);
        }
        for (String ip : CLIENTS) {
            start(ip, false);
        }
        AgentProcess s1 = agents.get("server-2");
        AgentProcess c1 = agents.get("client-5");
        AgentProcess c2 = agents.get("client-6");
        assertTrue(s1.waitFor(LONG, () -> !leaderOf(s1).isEmpty()), "no leader:\n" + s1.output());
        for (AgentProcess a : agents.byName().values()) {
            await(a, LONG, () -> aliveMembers(a, false) == 5, () -> "members not converged:\n" + a.output());
        }

        // Write through one client, read through the other.
        for (int i = 0; i < 20; i++) {
            int k = i;
            assertTrue(c1.waitFor(LONG, () -> ok(c1, "PUT", "/v1/kv/acked/" + k, "v" + k)), c1.output());
        }
        assertEquals("v7", raw(c2, "acked/7"));

        // Client agents listen on no RPC port (Consul's); a server's RPC port is not the HTTP API.
        assertRefused(CLIENTS.get(0), 8300);
        assertTrue(s1.waitFor(LONG, () -> notHttp(SERVERS.get(0), 8300)), "port 8300 answered HTTP/1.1");

        // The native gRPC API through a client agent and through a follower, in every consistency
        // mode: writes, reads, prefix listings and watches go through the same request layer.
        String leaderAddr = leaderOf(s1);
        String followerIp = SERVERS.stream().filter(ip -> !leaderAddr.startsWith(ip + ":")).findFirst().orElseThrow();
        for (String host : List.of(CLIENTS.get(1), followerIp)) {
            for (Consistency c : List.of(Consistency.CONSISTENCY_DEFAULT, Consistency.CONSISTENCY_CONSISTENT,
                    Consistency.CONSISTENCY_STALE)) {
                grpcRoundTrip(c1, host, c);
            }
        }

        // A service registered on a client is found through the other client.
        String svc = "{\"Name\":\"web\",\"Port\":8080,\"Check\":{\"TTL\":\"60s\"}}";
        assertEquals(200, c1.send("PUT", "/v1/agent/service/register", svc).statusCode());
        assertEquals(200, c1.send("PUT", "/v1/agent/check/pass/service:web", null).statusCode());
        assertTrue(c2.waitFor(LONG, () -> {
            try {
                return JsonParser.parseString(c2.get("/v1/health/service/web?passing").body()).getAsJsonArray().size() == 1;
            } catch (Exception e) {
                return false;
            }
        }), c2.output());

        // A server answers 'dig @127.0.0.2 -p 8600 web.service.consul SRV'.
        assertTrue(s1.waitFor(LONG, () -> {
            try {
                org.xbill.DNS.SimpleResolver r = new org.xbill.DNS.SimpleResolver("127.0.0.2");
                r.setPort(8600);
                r.setTimeout(Duration.ofSeconds(2));
                org.xbill.DNS.Message m = r.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                        org.xbill.DNS.Name.fromString("web.service.consul."), org.xbill.DNS.Type.SRV,
                        org.xbill.DNS.DClass.IN)));
                return m.getSection(org.xbill.DNS.Section.ANSWER).stream().anyMatch(rec ->
                        rec instanceof org.xbill.DNS.SRVRecord srv && srv.getPort() == 8080
                        && srv.getTarget().toString().startsWith("client-5.node.dc1.consul"));
            } catch (IOException e) {
                return false;
            }
        }), "no SRV answer for web.service.consul");

        // SIGKILL the leader: a new one is elected and every acknowledged write is still there.
        String oldLeader = leaderOf(s1);
        String leaderName = "server-" + oldLeader.substring(oldLeader.lastIndexOf('.') + 1, oldLeader.indexOf(':'));
        agents.get(leaderName).kill();
        AgentProcess survivor = agents.byName().entrySet().stream()
                .filter(e -> e.getKey().startsWith("server-") && !e.getKey().equals(leaderName))
                .findFirst().orElseThrow().getValue();
        assertTrue(survivor.waitFor(LONG, () -> {
            String l = leaderOf(survivor);
            return !l.isEmpty() && !l.equals(oldLeader);
        }), survivor.output());
        for (int i = 0; i < 20; i++) {
            int k = i;
            assertTrue(c2.waitFor(LONG, () -> ("v" + k).equals(raw(c2, "acked/" + k))), "lost acked/" + k);
        }
        assertTrue(c1.waitFor(LONG, () -> ok(c1, "PUT", "/v1/kv/after-failover", "yes")), c1.output());

        // Restart the old leader on its data: it catches up.
        String ip = "127.0.0." + leaderName.substring("server-".length());
        agents.remove(leaderName);
        AgentProcess back = start(ip, true);
        assertTrue(back.waitFor(LONG, () -> "yes".equals(rawStale(back, "after-failover"))), back.output());

        // SIGKILL a client: its serfHealth turns critical and its service leaves ?passing.
        c1.kill();
        assertTrue(c2.waitFor(LONG, () -> {
            try {
                String checks = c2.get("/v1/health/node/client-5").body();
                String passing = c2.get("/v1/health/service/web?passing").body();
                return checks.contains("\"serfHealth\"") && checks.contains("\"critical\"")
                        && JsonParser.parseString(passing).getAsJsonArray().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }), c2.output());

        // Stop every server and start them again: the state comes back from disk.
        for (String s : List.of("server-2", "server-3", "server-4")) {
            assertEquals(0, agents.remove(s).terminate(Duration.ofSeconds(60)));
        }
        for (String sip : SERVERS) {
            start(sip, true);
        }
        AgentProcess again = agents.get("server-3");
        assertTrue(again.waitFor(LONG, () -> !leaderOf(again).isEmpty()), again.output());
        assertTrue(again.waitFor(LONG, () -> "v19".equals(raw(again, "acked/19"))), again.output());
        assertNotEquals(null, raw(again, "after-failover"));
    }
}
