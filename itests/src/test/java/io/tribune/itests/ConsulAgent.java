package io.tribune.itests;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * The agent {@link ConsulClientIT} talks to: {@code bin/tribune agent -dev} started as a process
 * on a free loopback port (stopped with SIGTERM by {@link #close()}), or, when the system property
 * {@code tribune.it.http} names {@code host:port}, an agent already running there (left running).
 */
final class ConsulAgent implements AutoCloseable {
    private final AgentProcess process;
    private final String host;
    private final int port;
    private final String nodeName;

    private ConsulAgent(AgentProcess process, String host, int port, String nodeName) {
        this.process = process;
        this.host = host;
        this.port = port;
        this.nodeName = nodeName;
    }

    /** Starts (or attaches to) a dev agent and waits until it has a leader and its node is in the catalog. */
    static ConsulAgent startDev(String nodeName) throws Exception {
        String external = System.getProperty("tribune.it.http", "");
        ConsulAgent a;
        if (!external.isEmpty()) {
            int colon = external.lastIndexOf(':');
            String host = external.substring(0, colon);
            int port = Integer.parseInt(external.substring(colon + 1));
            ConsulAgent probe = new ConsulAgent(null, host, port, "");
            String name = JsonParser.parseString(probe.send("GET", "/v1/agent/self", null).body()).getAsJsonObject()
                    .getAsJsonObject("Config").get("NodeName").getAsString();
            a = new ConsulAgent(null, host, port, name);
        } else {
            int port = AgentProcess.freePort();
            AgentProcess p = AgentProcess.start(port, List.of("agent", "-dev", "-node", nodeName, "-grpc-port", "-1", "-dns-port", "-1", "-http-port",
                    Integer.toString(port)));
            a = new ConsulAgent(p, "127.0.0.1", port, nodeName);
            try {
                p.awaitLeader(Duration.ofSeconds(60));
            } catch (AssertionError | InterruptedException e) {
                a.close();
                throw e;
            }
        }
        a.awaitSelfRegistered(Duration.ofSeconds(60));
        return a;
    }

    private void awaitSelfRegistered(Duration limit) throws Exception {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (send("GET", "/v1/health/node/" + nodeName, null).body().contains("serfHealth")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        close();
        throw new AssertionError("node " + nodeName + " was not registered in the catalog within " + limit
                + (process != null ? "; output:\n" + process.output() : ""));
    }

    int httpPort() {
        return port;
    }

    String nodeName() {
        return nodeName;
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return AgentProcess.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            try {
                process.terminate(Duration.ofSeconds(30));
            } finally {
                process.close();
                java.nio.file.Files.deleteIfExists(process.log);
            }
        }
    }
}
