package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigLoader;
import io.tribune.testkit.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reload through {@code PUT /v1/agent/reload} and the HTTPS listener (config feature). */
class ReloadHttpsAgentTest {

    private static AgentConfig config(String node, int serverPort, String extra) {
        return new ConfigLoader().add(JsonParser.parseString("{\"dev\": true, \"node_name\": \"" + node + "\", "
                + "\"ports\": {\"http\": 0, \"server\": " + serverPort + "}" + (extra.isEmpty() ? "" : ", " + extra)
                + "}").getAsJsonObject(), "test").build();
    }

    @Test
    void reloadReplacesTheConfigServicesKeepsApiOnesAndRefusesABadConfig() throws Exception {
        int port = 18461;
        try (Booted a = Booted.start("reload1", port, "\"services\": [{\"ID\": \"old\", \"Name\": \"old\", "
                + "\"Port\": 1}]")) {
            assertTrue(a.waitFor(Duration.ofSeconds(20), () -> hasService(a, "old")));
            a.put("/v1/agent/service/register", "{\"ID\": \"api\", \"Name\": \"api\", \"Port\": 3}");
            AtomicReference<String> applied = new AtomicReference<>();
            AtomicReference<AgentConfig> next = new AtomicReference<>(config("reload1", port, "\"log_level\": \"debug\", "
                    + "\"services\": [{\"ID\": \"new\", \"Name\": \"new\", \"Port\": 2}]"));
            a.agent.onReload(next::get, c -> applied.set(c.logLevel()));

            HttpResponse<String> r = a.send("PUT", "/v1/agent/reload", null);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals("debug", applied.get());
            assertTrue(a.waitFor(Duration.ofSeconds(20), () -> hasService(a, "new") && !hasService(a, "old")));
            var local = a.get("/v1/agent/services").getAsJsonObject();
            assertTrue(local.has("new") && local.has("api") && !local.has("old"), local.toString());
            assertEquals(405, a.send("GET", "/v1/agent/reload", null).statusCode());

            // A bad config: 400 with the message, nothing changes.
            a.agent.onReload(() -> {
                throw new ConfigException("unknown configuration key 'bogus' in config file x.hcl (line 2)");
            }, c -> applied.set("changed"));
            r = a.send("PUT", "/v1/agent/reload", null);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("'bogus'") && r.body().contains("x.hcl"), r.body());
            assertEquals("debug", applied.get());
            assertTrue(a.get("/v1/agent/services").getAsJsonObject().has("new"));

            // Keys that need a restart are answered (and logged), and the running config keeps them.
            a.agent.onReload(() -> config("reload1", port, "\"datacenter\": \"dc9\", \"services\": "
                    + "[{\"ID\": \"new\", \"Name\": \"new\", \"Port\": 2}]"), c -> { });
            assertEquals(List.of("datacenter"), a.agent.reload());
            assertTrue(a.get("/v1/agent/services").getAsJsonObject().has("new"));
        }
    }

    private static boolean hasService(Booted a, String name) {
        try {
            return a.get("/v1/catalog/service/" + name).getAsJsonArray().size() == 1;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void httpsServesTheApiWithTls12And13AndRequiresClientCertificatesWhenAsked(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki(dir, "https");
        TestPki.Leaf server = pki.issue("localhost", "localhost");
        TestPki.Leaf client = pki.issue("cli", "cli");
        String tls = "\"cert_file\": \"" + server.certFile() + "\", \"key_file\": \"" + server.keyFile() + "\", "
                + "\"ca_file\": \"" + pki.caFile + "\"";
        try (Booted a = Booted.start("https1", 18462, "")) {
            HttpService https = new HttpService();
            // A second HTTP service on the same agent, to learn the HTTPS port it binds (0: ephemeral).
            AgentConfig c = config("https1", 18462, tls + ", \"verify_incoming_https\": true, \"ports\": "
                    + "{\"http\": -1, \"https\": 0, \"server\": 18462}");
            https.start(new ContextWithConfig(a.agent.context(), c));
            try {
                int port = https.httpsAddress().orElseThrow().getPort();
                assertTrue(https.address().isEmpty(), "ports.http -1 leaves only HTTPS");
                URI uri = URI.create("https://127.0.0.1:" + port + "/v1/agent/self");
                for (String protocol : List.of("TLSv1.2", "TLSv1.3")) {
                    HttpResponse<String> r = client(pki.caFile, client, protocol).send(HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode(), protocol);
                    assertTrue(r.body().contains("https1"), r.body());
                }
                HttpClient noCert = client(pki.caFile, null, "TLSv1.3");
                assertThrows(IOException.class, () -> noCert.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()),
                        "verify_incoming_https refuses a client without a certificate");
                HttpClient tls11 = client(pki.caFile, client, "TLSv1.1");
                assertThrows(IOException.class, () -> tls11.send(HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
            } finally {
                https.close();
            }
        }
    }

    /** The agent's context with another config (the second HTTP service's ports). */
    private record ContextWithConfig(io.tribune.agent.AgentContext inner, AgentConfig cfg)
            implements io.tribune.agent.AgentContext {
        @Override
        public AgentConfig config() {
            return cfg;
        }

        @Override
        public io.tribune.agent.rpc.Requests requests() {
            return inner.requests();
        }

        @Override
        public io.tribune.api.Clock clock() {
            return inner.clock();
        }

        @Override
        public io.tribune.api.Scheduler scheduler() {
            return inner.scheduler();
        }

        @Override
        public java.util.concurrent.Executor workers() {
            return inner.workers();
        }

        @Override
        public java.util.random.RandomGenerator random(String purpose) {
            return inner.random(purpose);
        }

        @Override
        public void closeOnShutdown(AutoCloseable c) {
            inner.closeOnShutdown(c);
        }

        @Override
        public java.util.Optional<java.net.InetSocketAddress> serviceAddress(String name) {
            return inner.serviceAddress(name);
        }
    }

    static HttpClient client(Path ca, TestPki.Leaf cert, String protocol) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(ca))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        KeyManagerFactory kmf = null;
        if (cert != null) {
            String pem = Files.readString(cert.keyFile());
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("k", KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)),
                    new char[0], cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(cert.certFile())))
                            .toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(p).connectTimeout(Duration.ofSeconds(10)).build();
    }
}
